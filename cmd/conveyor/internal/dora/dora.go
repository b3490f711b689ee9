// Package dora computes the DORA software delivery figures of an environment from the
// platform's own records: the image changes its updates made (`conveyor history`), and the
// source commit each deployed image was built from. It is pure computation: the conveyor
// command reads the history and hands the changes over. docs/dora.md defines every figure
// and band, and names the DORA sources they follow.
package dora

import (
	"time"
)

// Kind is what a change did to a module.
type Kind string

// Kinds of change. A promotion is a deploy of the environment it goes to.
const (
	Deploy   Kind = "deploy"
	Rollback Kind = "rollback"
)

// Change is one module's image change, made by one successful update.
type Change struct {
	Update int
	// Time is when the update ended: when the change was live.
	Time   time.Time
	Module string
	Kind   Kind
	// SourceTime is when the commit of the change's image was made; zero when no record says.
	SourceTime time.Time
}

// Options choose the changes the figures cover.
type Options struct {
	// Since and Until bound the period: changes that went live in [Since, Until).
	Since, Until time.Time
	// FixWindow is how soon a deploy of the same module after a deploy makes the first a
	// failure (the second is its fix).
	FixWindow time.Duration
	// Module limits the figures to one module; every module when empty.
	Module string
}

// Report is the figures of an environment over a period: in total and per module.
type Report struct {
	Since     time.Time `json:"since"`
	Until     time.Time `json:"until"`
	FixWindow Duration  `json:"fixWindow"`
	Total     Figures   `json:"total"`
	Modules   []Module  `json:"modules"`
}

// Module is one module's figures.
type Module struct {
	Name string `json:"module"`
	Figures
}
