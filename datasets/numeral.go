package datasets

import (
	"strings"

	"github.com/pkg/errors"
)

// MaxChineseNumeral is the largest number [ChineseNumeral] writes (just under 一万亿).
const MaxChineseNumeral = 999_999_999_999

var (
	cnDigits     = []string{"零", "一", "二", "三", "四", "五", "六", "七", "八", "九"}
	cnSmallUnits = []string{"", "十", "百", "千"} // within a group of four digits
	cnBigUnits   = []string{"", "万", "亿"}      // one per group of four digits
)

// ChineseNumeral writes n (0 ≤ n ≤ [MaxChineseNumeral]) in Chinese numerals, e.g.
// 1234 → 一千二百三十四.
//
// Conventions (the common mainland usage):
//   - Digits are grouped by four: 万 (10⁴), 亿 (10⁸).
//   - A leading 1 of the tens is dropped only at the very start: 10 → 十, 15 → 十五,
//     100000 → 十万; elsewhere it is written: 110 → 一百一十, 10010 → 一万零一十.
//   - One 零 stands for any run of zeros between non-zero digits, including across a
//     group boundary: 1001 → 一千零一, 10001 → 一万零一, 100000001 → 一亿零一,
//     10000100 → 一千万零一百; trailing zeros are not written: 10000 → 一万, 1100 → 一千一百.
//   - 0 → 零. 两 is not used (2000 → 二千).
func ChineseNumeral(n int64) (string, error) {
	if n < 0 || n > MaxChineseNumeral {
		return "", errors.Errorf("ChineseNumeral: %d out of range [0, %d]", n, int64(MaxChineseNumeral))
	}
	if n == 0 {
		return cnDigits[0], nil
	}
	var groups []int // least significant first
	for v := n; v > 0; v /= 10000 {
		groups = append(groups, int(v%10000))
	}
	var sb strings.Builder
	zero := false // a zero is pending between non-zero digits
	for gi := len(groups) - 1; gi >= 0; gi-- {
		g := groups[gi]
		if g == 0 {
			zero = sb.Len() > 0
			continue
		}
		if sb.Len() > 0 && g < 1000 {
			zero = true
		}
		for pos := 3; pos >= 0; pos-- {
			d := g / pow10[pos] % 10
			if d == 0 {
				// Zeros before the group's first non-zero digit are covered by the g < 1000 check.
				if sb.Len() > 0 {
					zero = true
				}
				continue
			}
			if zero {
				sb.WriteString(cnDigits[0])
				zero = false
			}
			if !(d == 1 && pos == 1 && sb.Len() == 0) { // 十五, not 一十五, only at the start
				sb.WriteString(cnDigits[d])
			}
			sb.WriteString(cnSmallUnits[pos])
		}
		sb.WriteString(cnBigUnits[gi])
		zero = false
	}
	return sb.String(), nil
}

var pow10 = []int{1, 10, 100, 1000}
