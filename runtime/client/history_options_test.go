package client

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestHistoryOptionsBounds(t *testing.T) {
	history := [][]byte{[]byte("1"), []byte("2"), []byte("3"), []byte("4"), []byte("5")}
	for _, tc := range []struct {
		opts   HistoryOptions
		want   []string
		newest bool
	}{
		{HistoryOptions{}, []string{"1", "2", "3", "4", "5"}, false},
		{HistoryOptions{Limit: 2}, []string{"4", "5"}, true},
		{HistoryOptions{Since: 2, Until: 4}, []string{"3", "4"}, false}, // Since exclusive, Until inclusive
		{HistoryOptions{Since: 1, Until: 1}, nil, false},
		{HistoryOptions{Since: 4}, []string{"5"}, false},
		{HistoryOptions{Since: 2, Limit: 2}, []string{"4", "5"}, false},
		{HistoryOptions{Until: 3, Limit: 1}, []string{"3"}, false},
		{HistoryOptions{Since: 5}, nil, false},
	} {
		var got [][]byte
		for i, h := range history {
			if tc.opts.Contains(uint64(i + 1)) {
				got = append(got, h)
			}
		}
		var gotS []string
		for _, h := range tc.opts.Trim(got) {
			gotS = append(gotS, string(h))
		}
		if diff := cmp.Diff(tc.want, gotS); diff != "" {
			t.Errorf("%+v (-want +got):\n%s", tc.opts, diff)
		}
		if tc.opts.NewestOnly() != tc.newest {
			t.Errorf("%+v: NewestOnly = %v, want %v", tc.opts, !tc.newest, tc.newest)
		}
		if err := tc.opts.Validate(); err != nil {
			t.Errorf("%+v: Validate = %v", tc.opts, err)
		}
	}
	for _, bad := range []HistoryOptions{{Limit: -1}, {Since: -1}, {Until: -1}} {
		if bad.Validate() == nil {
			t.Errorf("%+v: Validate accepted a negative bound", bad)
		}
	}
}
