package datasets

import (
	"fmt"
	"testing"
)

func TestChineseNumeral(t *testing.T) {
	cases := map[int64]string{
		0: "零", 1: "一", 7: "七", 10: "十", 11: "十一", 15: "十五", 20: "二十", 99: "九十九",
		100: "一百", 101: "一百零一", 110: "一百一十", 111: "一百一十一", 1000: "一千", 1001: "一千零一",
		1010: "一千零一十", 1100: "一千一百", 1234: "一千二百三十四", 2000: "二千", 9999: "九千九百九十九",
		10000: "一万", 10001: "一万零一", 10010: "一万零一十", 10100: "一万零一百", 11000: "一万一千",
		100000: "十万", 100010: "十万零一十", 150000: "十五万", 1000000: "一百万", 10000000: "一千万",
		10000100: "一千万零一百", 10001000: "一千万一千", 12345678: "一千二百三十四万五千六百七十八",
		99999999: "九千九百九十九万九千九百九十九", 100000000: "一亿", 100000001: "一亿零一",
		100010000: "一亿零一万", 110000000: "一亿一千万", 1000000000: "十亿", 1234567890: "十二亿三千四百五十六万七千八百九十",
		MaxChineseNumeral: "九千九百九十九亿九千九百九十九万九千九百九十九",
	}
	for n, want := range cases {
		got, err := ChineseNumeral(n)
		if err != nil || got != want {
			t.Errorf("ChineseNumeral(%d) = %q, %v; want %q", n, got, err, want)
		}
	}
	for _, n := range []int64{-1, MaxChineseNumeral + 1} {
		if _, err := ChineseNumeral(n); err == nil {
			t.Errorf("ChineseNumeral(%d): want error", n)
		}
	}
}

func TestChineseNumeralNoDoubleZeroOrTrailingZero(t *testing.T) {
	for n := int64(1); n < 200000; n += 7 {
		s, _ := ChineseNumeral(n)
		r := []rune(s)
		if r[len(r)-1] == '零' {
			t.Fatalf("%d → %s ends with 零", n, s)
		}
		for i := 1; i < len(r); i++ {
			if r[i] == '零' && r[i-1] == '零' {
				t.Fatalf("%d → %s has 零零", n, s)
			}
		}
	}
}

func ExampleChineseNumeral() {
	for _, n := range []int64{10, 110, 1001, 1234, 10000, 100010, 99999999} {
		s, _ := ChineseNumeral(n)
		fmt.Println(n, s)
	}
	// Output:
	// 10 十
	// 110 一百一十
	// 1001 一千零一
	// 1234 一千二百三十四
	// 10000 一万
	// 100010 十万零一十
	// 99999999 九千九百九十九万九千九百九十九
}
