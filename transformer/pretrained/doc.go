// Package pretrained finds the files of a pretrained checkpoint: a local directory (as
// save_pretrained writes it, or a sentence-transformers model folder), or a Hugging Face hub
// repository such as "bert-base-chinese" or "sentence-transformers/all-MiniLM-L6-v2", fetched
// through go-huggingface's hub client into the hub's cache layout, which Python's huggingface_hub
// shares:
//
//	<cache>/models--<owner>--<name>/
//	    blobs/<etag>                       file contents, named by the hub's ETag
//	    snapshots/<commit>/<file>          symbolic links into blobs/, one directory per commit
//	    refs/<revision>                    the commit a branch or tag resolved to (written here too)
//	    info/<revision>                    go-huggingface's copy of the repository's API answer
//
// Fetch is what bert.FromPretrained and gpt.FromPretrained call. Its Options follow
// huggingface_hub's settings and environment variables: the revision (a branch, tag or commit
// hash; "main" by default) is pinnable; HF_HUB_OFFLINE=1 (or Options.Offline) never touches the
// network and serves a cached snapshot, or says that none is there; HF_ENDPOINT, HF_TOKEN,
// HF_HUB_CACHE and HF_HOME are honoured.
//
// What go-huggingface (v0.3.1) does not do, Fetch adds around it: every file it downloads is
// checked against the hub's ETag — the SHA-256 of the content for large (LFS) files, the git blob
// hash for small ones — and a file that does not match (a truncated or damaged response, which
// go-huggingface's downloader accepts) is removed from the cache and reported; a commit-pinned
// revision already in the cache, and any cached revision when the hub cannot be reached, is served
// without network; files are fetched one at a time (its parallel download path updates its progress
// counters without a lock); nothing is printed on standard output. The hub path is tested against a
// local server in the hub's URL layout (fetch_test.go): download, cache, revision, ETag checks, a
// truncated response, 404, offline.
//
// Chapter 13 (加载预训练模型) uses it through bert.FromPretrained and gpt.FromPretrained.
package pretrained
