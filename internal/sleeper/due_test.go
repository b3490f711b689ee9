package sleeper

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/conveyor-paas/conveyor/naming"
)

// at is a time of December 2026, the injected clock of every decision: the 2nd is a Wednesday.
func at(day int, hh, mm int) time.Time { return time.Date(2026, 12, day, hh, mm, 0, 0, time.UTC) }

func mustHours(t *testing.T, text string) *Hours {
	t.Helper()
	h, err := ParseHours(text)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestHours(t *testing.T) {
	for _, tt := range []struct {
		hours string
		at    time.Time
		awake bool
	}{
		{"Mon-Fri 07:00-20:00", at(2, 7, 0), true}, // Wednesday
		{"Mon-Fri 07:00-20:00", at(2, 6, 59), false},
		{"Mon-Fri 07:00-20:00", at(2, 20, 0), false},
		{"Mon-Fri 07:00-20:00", at(5, 12, 0), false},                // Saturday
		{"Mon-Fri 07:00-20:00", at(4, 19, 59), true},                // Friday
		{"Sat-Sun 10:00-12:00", at(6, 11, 0), true},                 // Sunday
		{"Sat-Sun 10:00-12:00", at(7, 11, 0), false},                // Monday
		{"Fri-Mon 00:00-24:00", at(7, 23, 0), true},                 // a range of days across the week's end
		{"Fri-Mon 00:00-24:00", at(8, 0, 1), false},                 // Tuesday
		{"Mon-Fri 20:00-04:00", at(2, 3, 0), true},                  // Wednesday night, from Tuesday's evening
		{"Mon-Fri 20:00-04:00", at(5, 3, 0), true},                  // Saturday 03:00: Friday's night
		{"Mon-Fri 20:00-04:00", at(6, 3, 0), false},                 // Sunday 03:00: Saturday has no night
		{"Mon-Fri 07:00-20:00 Europe/Berlin", at(2, 6, 30), true},   // 07:30 in Berlin
		{"Mon-Fri 07:00-20:00 Europe/Berlin", at(2, 19, 30), false}, // 20:30 in Berlin
	} {
		if got := mustHours(t, tt.hours).Awake(tt.at); got != tt.awake {
			t.Errorf("%q at %s: awake %v, want %v", tt.hours, tt.at.Format(time.RFC1123), got, tt.awake)
		}
	}
	for _, bad := range []string{"", "Mon-Fri", "Mon-Fry 07:00-20:00", "Mon-Fri 7-20", "Mon-Fri 07:00-07:00", "Mon-Fri 07:00-20:00 Mars/Base", "Mon-Fri 07:00-20:00 UTC extra"} {
		if _, err := ParseHours(bad); err == nil {
			t.Errorf("%q parses", bad)
		}
	}
}

func TestPolicyOf(t *testing.T) {
	const file = "stacks/Pulumi.dev.yaml"
	for _, tt := range []struct {
		name   string
		kind   naming.StackKind
		config map[string]string
		awake  string
		idle   time.Duration
		err    string
	}{
		{"an ad-hoc environment follows its tier", naming.StackAdHoc, nil, DefaultAdHocHours, DefaultAdHocIdle, ""},
		{"a long-lived one has no default", naming.StackLongLived, nil, "", 0, ""},
		{"its file sets hours", naming.StackLongLived, map[string]string{naming.ConfigAwakeHours: "Mon-Fri 07:00-19:00 Europe/Berlin"}, "Mon-Fri 07:00-19:00 Europe/Berlin", 0, ""},
		{"always is no schedule", naming.StackAdHoc, map[string]string{naming.ConfigAwakeHours: "always"}, "", DefaultAdHocIdle, ""},
		{"days of idleness", naming.StackAdHoc, map[string]string{naming.ConfigIdleSleep: "3d"}, DefaultAdHocHours, 72 * time.Hour, ""},
		{"0 never idles", naming.StackAdHoc, map[string]string{naming.ConfigIdleSleep: "0"}, DefaultAdHocHours, 0, ""},
		{"bad hours name file and key", naming.StackLongLived, map[string]string{naming.ConfigAwakeHours: "weekdays"}, "", 0, file + ": " + naming.ConfigAwakeHours},
		{"bad idle names file and key", naming.StackLongLived, map[string]string{naming.ConfigIdleSleep: "a while"}, "", 0, file + ": " + naming.ConfigIdleSleep},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, err := PolicyOf(tt.kind, tt.config, file)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want one saying %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			awake := ""
			if p.Awake != nil {
				awake = p.Awake.String()
			}
			if awake != tt.awake || p.Idle != tt.idle {
				t.Errorf("policy: awake %q idle %s, want %q %s", awake, p.Idle, tt.awake, tt.idle)
			}
		})
	}
}

func TestDueToSleep(t *testing.T) {
	weekdays := Policy{Awake: mustHours(t, "Mon-Fri 07:00-20:00")}
	adHoc := DefaultPolicy(naming.StackAdHoc) // Mon-Fri 06:00-20:00, idle 24h
	now := at(2, 21, 0)                       // Wednesday evening
	for _, tt := range []struct {
		name string
		env  Env
		now  time.Time
		want Decision
	}{
		{"an evening outside its hours", Env{Kind: naming.StackLongLived, Policy: weekdays}, now,
			Decision{Sleep: true, Reason: naming.SleepSchedule}},
		{"within its hours", Env{Kind: naming.StackLongLived, Policy: weekdays}, at(2, 12, 0), Decision{}},
		{"the weekend", Env{Kind: naming.StackLongLived, Policy: weekdays}, at(5, 12, 0),
			Decision{Sleep: true, Reason: naming.SleepSchedule}},
		{"no policy: dev by default", Env{Kind: naming.StackLongLived}, now, Decision{}},
		{"idle past the limit in working hours", Env{Kind: naming.StackAdHoc, Policy: adHoc, LastActive: at(1, 11, 0)}, at(2, 12, 0),
			Decision{Sleep: true, Reason: naming.SleepIdle}},
		{"idle under the limit", Env{Kind: naming.StackAdHoc, Policy: adHoc, LastActive: at(1, 13, 0)}, at(2, 12, 0), Decision{}},
		{"idle counts from the last wake too", Env{Kind: naming.StackAdHoc, Policy: adHoc, LastActive: at(2, 9, 0)}, at(2, 12, 0), Decision{}},
		{"never deployed is not idle", Env{Kind: naming.StackAdHoc, Policy: Policy{Idle: time.Hour}}, now, Decision{}},
		{"idle wins over the schedule", Env{Kind: naming.StackAdHoc, Policy: adHoc, LastActive: at(1, 11, 0)}, now,
			Decision{Sleep: true, Reason: naming.SleepIdle}},
		{"kept awake", Env{Kind: naming.StackAdHoc, Policy: adHoc, Keep: true, LastActive: at(1, 11, 0)}, now, Decision{}},
		{"asleep already", Env{Kind: naming.StackAdHoc, Policy: adHoc, Asleep: naming.SleepManual}, now, Decision{}},
		{"prod", Env{Kind: naming.StackProduction, Policy: weekdays}, now, Decision{}},
		{"a stack made production", Env{Kind: naming.StackAdHoc, Production: true, Policy: weekdays}, now, Decision{}},
		{"local", Env{Kind: naming.StackLocal, Policy: weekdays}, now, Decision{}},
		{"a cluster", Env{Kind: naming.StackCluster, Policy: weekdays}, now, Decision{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.env.Name, tt.want.Env = "e", "e"
			got := DueToSleep(tt.env, tt.now)
			if got.Why == "" {
				t.Error("the decision does not say why")
			}
			got.Why = ""
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestDueToWake(t *testing.T) {
	adHoc := DefaultPolicy(naming.StackAdHoc)
	morning := at(3, 6, 30) // Thursday
	for _, tt := range []struct {
		name string
		env  Env
		now  time.Time
		wake bool
	}{
		{"asleep on schedule, its hours back", Env{Asleep: naming.SleepSchedule, Policy: adHoc, LastActive: at(2, 18, 0)}, morning, true},
		{"asleep on schedule, still night", Env{Asleep: naming.SleepSchedule, Policy: adHoc, LastActive: at(2, 18, 0)}, at(3, 5, 0), false},
		{"asleep on schedule, idle since", Env{Asleep: naming.SleepSchedule, Policy: adHoc, LastActive: at(1, 18, 0)}, morning, false},
		{"asleep on a schedule it lost", Env{Asleep: naming.SleepSchedule}, morning, true},
		{"asleep by hand", Env{Asleep: naming.SleepManual, Policy: adHoc}, morning, false},
		{"asleep for idleness", Env{Asleep: naming.SleepIdle, Policy: adHoc}, morning, false},
		{"awake", Env{Policy: adHoc}, morning, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := DueToWake(tt.env, tt.now)
			if got.Wake != tt.wake || got.Sleep || got.Why == "" {
				t.Errorf("got %+v, want wake %v", got, tt.wake)
			}
		})
	}
}
