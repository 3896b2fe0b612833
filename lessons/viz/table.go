package viz

import (
	"fmt"
	"strings"
)

// Table renders rows as an HTML table; cells are formatted with %v (floats with 4 significant digits).
func Table(headers []string, rows [][]any) string {
	var b strings.Builder
	b.WriteString(`<table style="border-collapse:collapse">`)
	b.WriteString("<tr>")
	for _, h := range headers {
		fmt.Fprintf(&b, `<th style="border-bottom:1px solid #999;padding:2px 8px">%s</th>`, esc(h))
	}
	b.WriteString("</tr>")
	for _, r := range rows {
		b.WriteString("<tr>")
		for _, c := range r {
			var s string
			switch v := c.(type) {
			case float32:
				s = fmt.Sprintf("%.4g", v)
			case float64:
				s = fmt.Sprintf("%.4g", v)
			default:
				s = fmt.Sprint(v)
			}
			fmt.Fprintf(&b, `<td style="padding:2px 8px;text-align:right">%s</td>`, esc(s))
		}
		b.WriteString("</tr>")
	}
	b.WriteString("</table>")
	return b.String()
}
