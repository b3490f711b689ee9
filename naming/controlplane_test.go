package naming

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCheckControlPlaneRange(t *testing.T) {
	got := map[string]string{}
	for _, cidr := range []string{"203.0.113.0/24", "198.51.100.16/28", "10.0.0.0/8", "10.128.0.0/9", "192.168.1.0/24", "100.64.0.0/10",
		"0.0.0.0/0", "0.0.0.0/1", "128.0.0.0/1", "203.0.112.0/23", "10.0.0.0/7", "8.0.0.0/6", "10.0.0.1", "nonsense", "2001:db8::/64", "2001:db8::/32", "fd00::/8", "::/0"} {
		got[cidr] = ""
		if err := CheckControlPlaneRange(cidr); err != nil {
			got[cidr] = err.Error()
		}
	}
	want := map[string]string{
		"203.0.113.0/24": "", "198.51.100.16/28": "", "10.0.0.0/8": "", "10.128.0.0/9": "", "192.168.1.0/24": "", "100.64.0.0/10": "",
		"0.0.0.0/0":      "0.0.0.0/0 is the whole internet",
		"0.0.0.0/1":      "0.0.0.0/1 is a public range wider than /24",
		"128.0.0.0/1":    "128.0.0.0/1 is a public range wider than /24",
		"203.0.112.0/23": "203.0.112.0/23 is a public range wider than /24",
		"10.0.0.0/7":     "10.0.0.0/7 is a public range wider than /24", // 11.0.0.0/8 is public
		"8.0.0.0/6":      "8.0.0.0/6 is a public range wider than /24",
		"10.0.0.1":       `"10.0.0.1" is not a CIDR range`,
		"nonsense":       `"nonsense" is not a CIDR range`,
		"2001:db8::/64":  "", "fd00::/8": "",
		"2001:db8::/32": "2001:db8::/32 is a public range wider than /64",
		"::/0":          "::/0 is the whole internet",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
