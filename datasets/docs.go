package datasets

import "github.com/pkg/errors"

// PoemDocs turns poems into documents of sentences for [BERTConfig.Docs]: one document
// per poem, one sentence per line (couplet).
func PoemDocs(poems []Poem) [][]string {
	docs := make([][]string, len(poems))
	for i, p := range poems {
		docs[i] = append([]string(nil), p.Lines...)
	}
	return docs
}

// EncodeDocs encodes every sentence with encode (e.g. a tokenizer's Encode method);
// errors name the document and sentence.
func EncodeDocs(docs [][]string, encode func(string) ([]int, error)) ([][][]int, error) {
	out := make([][][]int, len(docs))
	for i, doc := range docs {
		out[i] = make([][]int, len(doc))
		for j, s := range doc {
			ids, err := encode(s)
			if err != nil {
				return nil, errors.WithMessagef(err, "document %d, sentence %d (%q)", i, j, s)
			}
			out[i][j] = ids
		}
	}
	return out, nil
}
