package sleeper

import (
	"fmt"
	"strings"
	"time"
)

// Hours are the hours of the week an environment is kept awake, in one time zone: a range of
// days and a range of the day, "Mon-Fri 07:00-20:00 Europe/Berlin". A range of the day that
// ends before it starts runs past midnight ("Mon-Sun 20:00-04:00": nights awake).
type Hours struct {
	days     [7]bool // by time.Weekday
	from, to time.Duration
	loc      *time.Location
	text     string
}

var weekdays = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

// ParseHours reads awake hours: "<day>[-<day>] <hh:mm>-<hh:mm> [<IANA zone>]", UTC by default.
func ParseHours(text string) (*Hours, error) {
	fields := strings.Fields(text)
	if len(fields) < 2 || len(fields) > 3 {
		return nil, fmt.Errorf("awake hours %q: want <days> <from>-<to> [<time zone>], for example \"Mon-Fri 07:00-20:00 Europe/Berlin\"", text)
	}
	h := &Hours{loc: time.UTC, text: text}
	first, last, ranged := strings.Cut(strings.ToLower(fields[0]), "-")
	if !ranged {
		last = first
	}
	d0, ok0 := weekdays[first]
	d1, ok1 := weekdays[last]
	if !ok0 || !ok1 {
		return nil, fmt.Errorf("awake hours %q: days %q: want a day or a range of days, such as Mon, Mon-Fri or Sat-Sun", text, fields[0])
	}
	for d := d0; ; d = (d + 1) % 7 {
		h.days[d] = true
		if d == d1 {
			break
		}
	}
	from, to, ok := strings.Cut(fields[1], "-")
	var err error
	if !ok {
		return nil, fmt.Errorf("awake hours %q: %q: want <from>-<to>, for example 07:00-20:00", text, fields[1])
	}
	if h.from, err = clock(from); err != nil {
		return nil, fmt.Errorf("awake hours %q: %w", text, err)
	}
	if h.to, err = clock(to); err != nil {
		return nil, fmt.Errorf("awake hours %q: %w", text, err)
	}
	if h.from == h.to {
		return nil, fmt.Errorf("awake hours %q: the range of the day is empty", text)
	}
	if len(fields) == 3 {
		if h.loc, err = time.LoadLocation(fields[2]); err != nil {
			return nil, fmt.Errorf("awake hours %q: time zone: %w", text, err)
		}
	}
	return h, nil
}

func clock(s string) (time.Duration, error) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		if s == "24:00" {
			return 24 * time.Hour, nil
		}
		return 0, fmt.Errorf("%q is no time of day: want hh:mm", s)
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, nil
}

// Awake reports whether t is within the hours. A range past midnight belongs to the day it
// starts on.
func (h *Hours) Awake(t time.Time) bool {
	t = t.In(h.loc)
	since := time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute + time.Duration(t.Second())*time.Second
	if h.from < h.to {
		return h.days[t.Weekday()] && since >= h.from && since < h.to
	}
	yesterday := (t.Weekday() + 6) % 7
	return (h.days[t.Weekday()] && since >= h.from) || (h.days[yesterday] && since < h.to)
}

func (h *Hours) String() string { return h.text }
