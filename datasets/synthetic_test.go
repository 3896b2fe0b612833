package datasets

import (
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func TestSyntheticTasksDeterministic(t *testing.T) {
	gens := map[string]func(seed uint64) ([]Pair, error){
		"numeral": func(s uint64) ([]Pair, error) { return NumeralTask(s, 200, 99_999_999) },
		"copy":    func(s uint64) ([]Pair, error) { return CopyTask(s, 200, 1, 12, "") },
		"reverse": func(s uint64) ([]Pair, error) { return ReverseTask(s, 200, 1, 12, "abc床前") },
		"add":     func(s uint64) ([]Pair, error) { return AdditionTask(s, 200, 5) },
	}
	for name, g := range gens {
		a, err := g(1)
		if err != nil {
			t.Fatal(name, err)
		}
		b, _ := g(1)
		c, _ := g(2)
		if !reflect.DeepEqual(a, b) || reflect.DeepEqual(a, c) {
			t.Errorf("%s: not deterministic by seed", name)
		}
	}
}

func TestSyntheticTasksCorrect(t *testing.T) {
	nums, _ := NumeralTask(3, 500, 99_999_999)
	lens := map[int]int{}
	for _, p := range nums {
		v, err := strconv.ParseInt(p.Source, 10, 64)
		want, _ := ChineseNumeral(v)
		if err != nil || p.Target != want || v > 99_999_999 {
			t.Fatalf("bad numeral pair %+v", p)
		}
		lens[len(p.Source)]++
	}
	if len(lens) != 8 {
		t.Errorf("digit lengths not all present: %v", lens)
	}
	rev, _ := ReverseTask(3, 100, 2, 5, "")
	for _, p := range rev {
		r := []rune(p.Source)
		for i := range r {
			if r[i] != []rune(p.Target)[len(r)-1-i] {
				t.Fatalf("bad reverse %+v", p)
			}
		}
	}
	add, _ := AdditionTask(3, 300, 4)
	for _, p := range add {
		parts := strings.Split(p.Source, "+")
		a, _ := strconv.Atoi(parts[0])
		b, _ := strconv.Atoi(parts[1])
		if strconv.Itoa(a+b) != p.Target || len(parts[0]) > 4 {
			t.Fatalf("bad addition %+v", p)
		}
	}
	if _, err := CopyTask(1, 1, 3, 2, ""); err == nil {
		t.Error("minLen > maxLen accepted")
	}
	if _, err := NumeralTask(1, 1, -5); err == nil {
		t.Error("negative maxValue accepted")
	}
	if _, err := AdditionTask(1, 1, 19); err == nil {
		t.Error("maxDigits 19 accepted")
	}
}
