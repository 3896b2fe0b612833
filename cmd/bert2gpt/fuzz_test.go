package main

import "testing"

// FuzzDataArgs (a checkpoint's data.json): any file gives data arguments within the bounds of
// their flags, or an error; never a panic.
func FuzzDataArgs(f *testing.F) {
	f.Add([]byte(`{"max_poems": 300, "valid_fraction": 0.05, "min_freq": 3, "seq_len": 32, "batch": 32}`))
	f.Add([]byte(`{"max_poems": 0, "valid_fraction": 0.05, "min_freq": 3, "seq_len": 1000000000, "batch": 4}`))
	f.Add([]byte(`{"max_poems": -1, "valid_fraction": 1, "min_freq": 3, "seq_len": 4, "batch": 0}`))
	f.Add([]byte(`{"seq_len": 32}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := parseDataArgs(data)
		if err != nil {
			return
		}
		if err := d.check(); err != nil || d.SeqLen > 1<<20 || d.Batch > maxBatch {
			t.Fatalf("accepted %+v: %v", d, err)
		}
	})
}
