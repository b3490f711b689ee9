package opsummary

import (
	"fmt"
	"io"
	"sync"
)

// Printer shows progress while the engine works. On a terminal it keeps one status line that
// names the step in flight and prints a permanent line for each resource that changed; in a
// log (CI) it prints only permanent lines, one when a changing step starts and one when it
// ends, so the log reads top to bottom.
type Printer struct {
	W        io.Writer
	Terminal bool

	mu     sync.Mutex
	status bool // a status line is on screen and must be cleared before the next line
}

// Progress prints p; pass it to Collector.OnProgress.
func (pr *Printer) Progress(p Progress) {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	counter := fmt.Sprintf("[%d/%d]", p.Done, p.Total)
	step := fmt.Sprintf("%s %s", p.Step.Type, p.Step.Name)
	switch {
	case p.Finished && (p.Step.Op != OpSame || p.Step.Failed):
		outcome := verb(p.Step.Op, false)
		if p.Step.Failed {
			outcome = "FAILED to " + p.Step.Op
		}
		pr.line(fmt.Sprintf("%s %s %s", counter, outcome, step))
	case pr.Terminal:
		pr.clear()
		state := progressive(p.Step.Op)
		if p.Finished {
			state = "checked"
		}
		fmt.Fprintf(pr.W, "%s %s %s", counter, state, step)
		pr.status = true
	case !p.Finished && p.Step.Op != OpSame:
		pr.line(fmt.Sprintf("%s %s %s", counter, progressive(p.Step.Op), step))
	}
}

// Printf prints a permanent line, such as a notice that the operation waits for a lock.
func (pr *Printer) Printf(format string, args ...any) {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	pr.line(fmt.Sprintf(format, args...))
}

// Done clears the status line, before the summary is printed.
func (pr *Printer) Done() {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	pr.clear()
}

func (pr *Printer) line(s string) {
	pr.clear()
	fmt.Fprintln(pr.W, s)
}

func (pr *Printer) clear() {
	if pr.status {
		fmt.Fprint(pr.W, "\r\033[K")
		pr.status = false
	}
}
