// Package memory estimates whether a model, its training state or a cache can fit before it is
// built: a configuration of a few bytes (n_layer 1e8, --preset gpt3-175b) must give an error, not
// run the machine out of memory.
package memory

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// EnvLimit names the environment variable that replaces the measured available memory: bytes, or a
// number with a K, M, G or T suffix (powers of 1024), e.g. "8G". Raise it where the estimate is too
// cautious (swap, a GPU with its own memory), lower it to leave room for other programs.
const EnvLimit = "BERT2GPT_MEMORY_LIMIT"

// Available returns how many bytes this process may still allocate: $BERT2GPT_MEMORY_LIMIT if set,
// else MemAvailable of /proc/meminfo, lowered to the cgroup limit minus its usage (a container)
// when that is smaller. ok is false where nothing can be measured (then no check is made).
func Available() (bytes int64, ok bool, err error) {
	if v := strings.TrimSpace(os.Getenv(EnvLimit)); v != "" {
		n, err := ParseSize(v)
		if err != nil {
			return 0, false, fmt.Errorf("$%s: %w", EnvLimit, err)
		}
		return n, true, nil
	}
	avail, ok := memAvailable()
	if limit, usage, found := cgroupLimit(); found && limit-usage < avail {
		avail, ok = max(limit-usage, 0), true
	}
	return avail, ok, nil
}

// ParseSize reads a size such as "1073741824", "512M" or "8G" (K, M, G, T: powers of 1024).
func ParseSize(s string) (int64, error) {
	s = strings.TrimSpace(s)
	mult := int64(1)
	if s != "" {
		switch strings.ToUpper(s[len(s)-1:]) {
		case "K":
			mult = 1 << 10
		case "M":
			mult = 1 << 20
		case "G":
			mult = 1 << 30
		case "T":
			mult = 1 << 40
		}
		if mult > 1 {
			s = s[:len(s)-1]
		}
	}
	n, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || !(n >= 0) || n*float64(mult) >= 1<<62 {
		return 0, fmt.Errorf("size %q: want a number of bytes, optionally with a K, M, G or T suffix", s)
	}
	return int64(n * float64(mult)), nil
}

// Check returns an error when need bytes (what describes them) exceed the available memory, or are
// negative (an overflow reported by Product). The error names both amounts and EnvLimit.
func Check(what string, need int64) error {
	if need < 0 { // Product's overflow
		return fmt.Errorf("%s needs more than %s of memory", what, Format(1<<62))
	}
	avail, ok, err := Available()
	if err != nil {
		return err
	}
	if !ok || need <= avail {
		return nil
	}
	return fmt.Errorf("%s needs %s, but %s of memory is available (set $%s to change the limit)", what, Format(need), Format(avail), EnvLimit)
}

// Format writes a byte count for people: "698.4 GB", "12.0 MB" (decimal units).
func Format(n int64) string {
	x := float64(n)
	for _, u := range []string{"B", "kB", "MB", "GB", "TB", "PB"} {
		if x < 1000 || u == "PB" {
			if u == "B" {
				return fmt.Sprintf("%d B", n)
			}
			return fmt.Sprintf("%.1f %s", x, u)
		}
		x /= 1000
	}
	return ""
}

// Product returns the product of the factors, or -1 if it exceeds 2^62 (sizes computed from a
// configuration must not wrap around).
func Product(factors ...int64) int64 {
	p := int64(1)
	for _, f := range factors {
		if f < 0 {
			return -1
		}
		if f != 0 && p > (1<<62)/f {
			return -1
		}
		p *= f
	}
	return p
}

// memAvailable reads MemAvailable from /proc/meminfo (Linux).
func memAvailable() (int64, bool) {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "MemAvailable:" {
			kb, err := strconv.ParseInt(fields[1], 10, 64)
			if err == nil {
				return kb << 10, true
			}
		}
	}
	return 0, false
}

// cgroupLimit reads the memory limit and usage of this process's cgroup (v2, then v1); found is
// false when there is no finite limit.
func cgroupLimit() (limit, usage int64, found bool) {
	read := func(path string) (int64, bool) {
		b, err := os.ReadFile(path)
		if err != nil {
			return 0, false
		}
		n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
		return n, err == nil
	}
	for _, p := range [][2]string{
		{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"},
		{"/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/memory/memory.usage_in_bytes"},
	} {
		l, ok := read(p[0])
		if !ok || l <= 0 || l >= 1<<60 { // "max" (v2) or a page-rounded MaxInt64 (v1): no limit
			continue
		}
		u, _ := read(p[1])
		return l, u, true
	}
	return 0, 0, false
}
