package stackops

import "testing"

func TestCrashSafeBackend(t *testing.T) {
	tests := []struct{ in, want string }{
		{"file:///home/a/.conveyor/state", "file:///home/a/.conveyor/state?metadata=skip"},
		{"file://~/state", "file://~/state?metadata=skip"},
		{"file:///s?no_tmp_dir=true", "file:///s?no_tmp_dir=true&metadata=skip"},
		{"file:///s?", "file:///s?metadata=skip"},
		{"file:///s?metadata=sidecar", "file:///s?metadata=sidecar"},
		{"gs://acme-state/conveyor", "gs://acme-state/conveyor"},
		{"https://api.pulumi.com", "https://api.pulumi.com"},
	}
	for _, tt := range tests {
		if got := crashSafeBackend(tt.in); got != tt.want {
			t.Errorf("crashSafeBackend(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
