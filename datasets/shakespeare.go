package datasets

import (
	"context"
	"os"
)

// TinyShakespeareFile pins the char-rnn TinyShakespeare corpus.
var TinyShakespeareFile = RemoteFile{
	RelPath: "tinyshakespeare/input.txt",
	URL:     "https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt",
	Checksum: Checksum{
		SHA256: "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed",
		Size:   1115394,
	},
}

// TinyShakespeare returns the whole TinyShakespeare text (1,115,394 bytes) using a
// [Fetcher] from [NewFetcher]. Split it with SplitText(text, 0.9) as nanoGPT does.
func TinyShakespeare(ctx context.Context) (string, error) {
	f, err := NewFetcher()
	if err != nil {
		return "", err
	}
	return f.TinyShakespeare(ctx)
}

// TinyShakespeare returns the whole TinyShakespeare text, verified against its sha256.
func (f *Fetcher) TinyShakespeare(ctx context.Context) (string, error) {
	p, err := f.File(ctx, TinyShakespeareFile)
	if err != nil {
		return "", err
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return "", err
	}
	return string(b), nil
}
