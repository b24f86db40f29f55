// peer.mjs drives the official centrifuge-js client (JSON protocol over
// WebSocket, the ws package standing in for the browser's WebSocket) for the
// Go interop tests.
//
// It reads one JSON command per line on stdin and writes one JSON event per
// line on stdout. Every command carries an "id" and is answered by
// {"ev":"reply","id":...,"ok":true,...} or {"ev":"reply","id":...,"error":"..."}.
// Besides the client's events, it reports the raw bytes of every publication's
// data as they crossed the wire (event "wire"), taken from the WebSocket
// frames before centrifuge-js parses them, and of every publish it sends
// (event "sent"): JSON.parse would hide a re-encoding that changes bytes but
// not values.
import { Centrifuge } from 'centrifuge';
import WebSocket from 'ws';
import readline from 'node:readline';

function emit(ev) {
  process.stdout.write(JSON.stringify(ev) + '\n');
}

// valueEnd returns the index just past the JSON value starting at i (after
// whitespace) in text, which is valid JSON.
function valueEnd(text, i) {
  i = skipWS(text, i);
  const c = text[i];
  if (c === '"') {
    for (i++; text[i] !== '"'; i++) {
      if (text[i] === '\\') i++;
    }
    return i + 1;
  }
  if (c === '{' || c === '[') {
    let depth = 0;
    for (; i < text.length; i++) {
      const d = text[i];
      if (d === '"') {
        i = valueEnd(text, i) - 1;
      } else if (d === '{' || d === '[') {
        depth++;
      } else if (d === '}' || d === ']') {
        depth--;
        if (depth === 0) return i + 1;
      }
    }
    throw new Error('unterminated JSON value');
  }
  while (i < text.length && !',}] \t\r\n'.includes(text[i])) i++;
  return i;
}

function skipWS(text, i) {
  while (i < text.length && ' \t\r\n'.includes(text[i])) i++;
  return i;
}

// members returns the raw text of each member of the JSON object in text.
function members(text) {
  const out = {};
  let i = skipWS(text, 0);
  if (text[i] !== '{') return out;
  i = skipWS(text, i + 1);
  while (text[i] !== '}') {
    const keyEnd = valueEnd(text, i);
    const key = JSON.parse(text.slice(i, keyEnd));
    const start = skipWS(text, skipWS(text, keyEnd) + 1); // past ':'
    const end = valueEnd(text, start);
    out[key] = text.slice(start, end);
    i = skipWS(text, end);
    if (text[i] === ',') i = skipWS(text, i + 1);
  }
  return out;
}

// elements returns the raw text of each element of the JSON array in text.
function elements(text) {
  const out = [];
  let i = skipWS(text, 0);
  if (text[i] !== '[') return out;
  i = skipWS(text, i + 1);
  while (text[i] !== ']') {
    const end = valueEnd(text, i);
    out.push(text.slice(i, end));
    i = skipWS(text, end);
    if (text[i] === ',') i = skipWS(text, i + 1);
  }
  return out;
}

const subscribeIDs = new Map(); // command id -> channel

function tapIncoming(frame) {
  for (const line of frame.split('\n')) {
    if (line.trim() === '') continue;
    const top = members(line);
    if (top.push !== undefined) {
      const push = members(top.push);
      if (push.pub !== undefined) {
        const pub = members(push.pub);
        emit({ ev: 'wire', channel: JSON.parse(push.channel), data: pub.data, info: pub.info });
      }
    } else if (top.subscribe !== undefined && top.id !== undefined) {
      const channel = subscribeIDs.get(JSON.parse(top.id));
      const sub = members(top.subscribe);
      if (sub.publications !== undefined) {
        for (const p of elements(sub.publications)) {
          const pub = members(p);
          emit({ ev: 'wire', channel, data: pub.data, info: pub.info, recovered: true });
        }
      }
    }
  }
}

function tapOutgoing(frame) {
  for (const line of frame.split('\n')) {
    if (line.trim() === '') continue;
    const top = members(line);
    if (top.subscribe !== undefined) {
      subscribeIDs.set(JSON.parse(top.id), JSON.parse(members(top.subscribe).channel));
    }
    if (top.publish !== undefined) {
      const pub = members(top.publish);
      emit({ ev: 'sent', channel: JSON.parse(pub.channel), data: pub.data });
    }
  }
}

// TapSocket is a ws WebSocket that reports the frames it carries.
class TapSocket extends WebSocket {
  constructor(...args) {
    super(...args);
    // Registered before centrifuge-js sets onmessage, so it runs first.
    this.addEventListener('message', (ev) => {
      if (typeof ev.data === 'string') tapIncoming(ev.data);
    });
  }

  send(data, ...rest) {
    if (typeof data === 'string') tapOutgoing(data);
    return super.send(data, ...rest);
  }
}

let centrifuge = null;
const subs = new Map();

const commands = {
  connect({ url, token }) {
    centrifuge = new Centrifuge(url, {
      token,
      websocket: TapSocket,
      minReconnectDelay: 500,
      maxReconnectDelay: 1000,
      timeout: 10000,
    });
    centrifuge.on('connecting', (ctx) => emit({ ev: 'connecting', code: ctx.code, reason: ctx.reason }));
    centrifuge.on('connected', (ctx) => emit({ ev: 'connected', client: ctx.client }));
    centrifuge.on('disconnected', (ctx) => emit({ ev: 'disconnected', code: ctx.code, reason: ctx.reason }));
    centrifuge.on('error', (ctx) => emit({ ev: 'error', type: ctx.type, message: String(ctx.error && ctx.error.message) }));
    centrifuge.connect();
    return {};
  },
  subscribe({ channel }) {
    const sub = centrifuge.newSubscription(channel, { recoverable: true, positioned: true });
    sub.on('subscribed', (ctx) => emit({
      ev: 'subscribed', channel, recovered: ctx.recovered, wasRecovering: ctx.wasRecovering,
      recoverable: ctx.recoverable, offset: ctx.streamPosition ? ctx.streamPosition.offset : null,
    }));
    sub.on('publication', (ctx) => emit({
      ev: 'publication', channel, data: ctx.data, info: ctx.info ?? null, offset: ctx.offset ?? null,
    }));
    sub.on('error', (ctx) => emit({ ev: 'suberror', channel, type: ctx.type, message: String(ctx.error && ctx.error.message) }));
    sub.subscribe();
    subs.set(channel, sub);
    return {};
  },
  async publish({ channel, data }) {
    // data is JSON text; centrifuge-js sends JSON.stringify of the value.
    await centrifuge.publish(channel, JSON.parse(data));
    return {};
  },
  async presence({ channel }) {
    const res = await centrifuge.presence(channel);
    return { clients: res.clients };
  },
  close() {
    centrifuge.disconnect();
    return {};
  },
};

const rl = readline.createInterface({ input: process.stdin });
rl.on('line', async (line) => {
  let cmd;
  try {
    cmd = JSON.parse(line);
  } catch (e) {
    emit({ ev: 'reply', id: null, error: `bad command ${line}: ${e.message}` });
    return;
  }
  try {
    const res = await commands[cmd.op](cmd);
    emit({ ev: 'reply', id: cmd.id, ok: true, ...res });
  } catch (e) {
    emit({ ev: 'reply', id: cmd.id, error: String(e && (e.message || JSON.stringify(e))) });
  }
});
rl.on('close', () => process.exit(0));
