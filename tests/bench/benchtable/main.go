// Command benchtable runs Conveyor's benchmarks (tests/bench) at each catalog size, one
// process per benchmark, size and repetition, and writes a table of the results into
// tests/bench/README.md: the median time per operation, the peak memory (the largest
// resident set of the process, from getrusage), the resources, and the ratio of each time to
// the time at 100 modules, with the machine it ran on.
//
// Run it from anywhere in the repository:
//
//	go run ./tests/bench/benchtable
//	go run ./tests/bench/benchtable -count 5 -bench Evaluate,PolicyCheck -sizes 100,1000
//
// It compiles the test binary once (go test -c) and runs it with -test.run '^$' and
// -test.bench '^BenchmarkX$/^N=n$', so that a case's peak memory is its own. The repetitions
// of the cases are interleaved, so that a burst of load on a shared machine spreads over all
// of them rather than spoiling one.
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Goals of issue 7, checked against the table.
const (
	goalEvaluateSeconds = 5
	goalEvaluateBytes   = 1 << 30
	goalRatio           = 11
	goalCheckSeconds    = 10
)

// Markers of the part of the README that the command rewrites.
const (
	beginMarker = "<!-- benchtable:begin -->"
	endMarker   = "<!-- benchtable:end -->"
)

func main() {
	var (
		benches   = flag.String("bench", "Load,Evaluate,Names,PolicyCheck,PolicyRules,Cost,Dora", "benchmarks to run (names without the Benchmark prefix)")
		sizes     = flag.String("sizes", "10,100,1000", "catalog sizes (each must be a size the benchmarks run at)")
		count     = flag.Int("count", 3, "processes per benchmark and size; the table shows the median time and the largest peak")
		benchtime = flag.String("benchtime", "1x", "-test.benchtime of each process (1x: one operation; 2s: as many as fit)")
		timeout   = flag.Duration("timeout", 15*time.Minute, "time limit of each process")
		readme    = flag.String("readme", "", "file to write the table into (default: tests/bench/README.md); - prints it only")
	)
	flag.Parse()
	if err := run(*benches, *sizes, *count, *benchtime, *timeout, *readme); err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(1)
	}
}

// result is what one process measured.
type result struct {
	nsPerOp  float64
	metrics  map[string]float64 // by unit: "resources", "B/op", "allocs/op", ...
	maxRSS   int64              // bytes
	loadAvgs string
}

// row is a benchmark at one size, over its repetitions.
type row struct {
	bench string
	n     int
	runs  []result
}

func (r *row) medianNs() float64 {
	ns := make([]float64, len(r.runs))
	for i, run := range r.runs {
		ns[i] = run.nsPerOp
	}
	return median(ns)
}

func (r *row) peakRSS() int64 {
	var peak int64
	for _, run := range r.runs {
		peak = max(peak, run.maxRSS)
	}
	return peak
}

func (r *row) metric(unit string) (float64, bool) {
	var vs []float64
	for _, run := range r.runs {
		if v, ok := run.metrics[unit]; ok {
			vs = append(vs, v)
		}
	}
	if len(vs) == 0 {
		return 0, false
	}
	return median(vs), true
}

func run(benchList, sizeList string, count int, benchtime string, timeout time.Duration, readme string) error {
	if count < 1 {
		return fmt.Errorf("-count must be at least 1")
	}
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	var sizes []int
	for _, s := range strings.Split(sizeList, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return fmt.Errorf("bad size %q", s)
		}
		sizes = append(sizes, n)
	}
	var benches []string
	for _, b := range strings.Split(benchList, ",") {
		if b = strings.TrimPrefix(strings.TrimSpace(b), "Benchmark"); b != "" {
			benches = append(benches, b)
		}
	}

	tmp, err := os.MkdirTemp("", "benchtable")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	binary := filepath.Join(tmp, "bench.test")
	fmt.Fprintln(os.Stderr, "compiling the benchmarks (go test -c ./tests/bench)")
	build := exec.Command("go", "test", "-c", "-o", binary, "./tests/bench")
	build.Dir, build.Stdout, build.Stderr = root, os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("compiling the benchmarks: %w", err)
	}

	machine := describeMachine()
	start := time.Now()
	var rows []*row
	for _, b := range benches {
		for _, n := range sizes {
			rows = append(rows, &row{bench: b, n: n})
		}
	}
	for rep := range count {
		for _, r := range rows {
			fmt.Fprintf(os.Stderr, "[%d/%d] Benchmark%s/N=%d ... ", rep+1, count, r.bench, r.n)
			res, err := runCase(binary, filepath.Join(root, "tests", "bench"), r.bench, r.n, benchtime, timeout)
			if err != nil {
				return fmt.Errorf("Benchmark%s/N=%d: %w", r.bench, r.n, err)
			}
			fmt.Fprintf(os.Stderr, "%s/op, peak %s (load %s)\n", seconds(res.nsPerOp), mib(res.maxRSS), res.loadAvgs)
			r.runs = append(r.runs, res)
		}
	}
	machine.duration = time.Since(start).Round(time.Second)
	machine.loadEnd = loadAverage()

	table := format(rows, machine, count, benchtime)
	if readme == "-" {
		fmt.Print(table)
		return nil
	}
	if readme == "" {
		readme = filepath.Join(root, "tests", "bench", "README.md")
	}
	if err := writeSection(readme, table); err != nil {
		return err
	}
	fmt.Print(table)
	fmt.Fprintf(os.Stderr, "wrote %s\n", readme)
	return nil
}

// runCase runs one benchmark at one size in a process of its own.
func runCase(binary, dir, bench string, n int, benchtime string, timeout time.Duration) (result, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	pattern := fmt.Sprintf("^Benchmark%s$/^N=%d$", bench, n)
	cmd := exec.CommandContext(ctx, binary, "-test.run", "^$", "-test.bench", pattern,
		"-test.benchtime", benchtime, "-test.count", "1")
	var out bytes.Buffer
	cmd.Dir, cmd.Stdout, cmd.Stderr = dir, &out, &out
	res := result{loadAvgs: loadAverage()}
	err := cmd.Run()
	if err != nil {
		return res, fmt.Errorf("%w\n%s", err, out.String())
	}
	res.maxRSS = maxRSS(cmd.ProcessState)
	found := false
	scanner := bufio.NewScanner(&out)
	prefix := fmt.Sprintf("Benchmark%s/N=%d", bench, n)
	for scanner.Scan() {
		fields := strings.Fields(scanner.Text())
		// BenchmarkX/N=1000-2   1   123 ns/op   30371 resources   ...
		if len(fields) < 4 || (fields[0] != prefix && !strings.HasPrefix(fields[0], prefix+"-")) {
			continue
		}
		res.metrics = map[string]float64{}
		for i := 2; i+1 < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				continue
			}
			res.metrics[fields[i+1]] = v
		}
		res.nsPerOp, found = res.metrics["ns/op"]
	}
	if !found {
		return res, errors.New("no result in the output:\n" + out.String())
	}
	return res, nil
}

// machine is where the benchmarks ran.
type machine struct {
	cpus      int
	cpuModel  string
	memory    string
	goVersion string
	os        string
	date      time.Time
	loadStart string
	loadEnd   string
	duration  time.Duration
}

func describeMachine() machine {
	m := machine{
		cpus:      runtime.NumCPU(),
		cpuModel:  "unknown",
		memory:    "unknown",
		goVersion: runtime.Version(),
		os:        runtime.GOOS + "/" + runtime.GOARCH,
		date:      time.Now().UTC(),
		loadStart: loadAverage(),
	}
	if out, err := exec.Command("go", "env", "GOVERSION").Output(); err == nil {
		m.goVersion = strings.TrimSpace(string(out))
	}
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.SplitSeq(string(data), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.cpuModel = strings.TrimSpace(v)
				break
			}
		}
	}
	if data, err := os.ReadFile("/proc/meminfo"); err == nil {
		for line := range strings.SplitSeq(string(data), "\n") {
			if rest, ok := strings.CutPrefix(line, "MemTotal:"); ok {
				if kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64); err == nil {
					m.memory = fmt.Sprintf("%.1f GiB", float64(kb)/(1<<20))
				}
			}
		}
	}
	return m
}

// loadAverage is the 1, 5 and 15 minute load averages, or "?" where there are none.
func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	fields := strings.Fields(string(data))
	if len(fields) < 3 {
		return "?"
	}
	return strings.Join(fields[:3], " ")
}

func format(rows []*row, m machine, count int, benchtime string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Last run: %s, with `go run ./tests/bench/benchtable -count %d -benchtime %s`.\n\n",
		m.date.Format("2006-01-02 15:04 MST"), count, benchtime)
	fmt.Fprintf(&b, "| machine | |\n| --- | --- |\n")
	fmt.Fprintf(&b, "| CPUs (nproc) | %d |\n| CPU model | %s |\n| memory | %s |\n| Go | %s (%s) |\n",
		m.cpus, m.cpuModel, m.memory, m.goVersion, m.os)
	fmt.Fprintf(&b, "| date | %s |\n| load average (1, 5, 15 min) | %s at the start, %s at the end |\n| duration of the run | %s |\n\n",
		m.date.Format("2006-01-02"), m.loadStart, m.loadEnd, m.duration)

	byKey := map[string]*row{}
	for _, r := range rows {
		byKey[fmt.Sprintf("%s/%d", r.bench, r.n)] = r
	}
	b.WriteString("| benchmark | N | time/op (median) | time ÷ time at N=100 | CPU time/op | CPU ÷ CPU at N=100 | peak memory (max RSS) | resources | resources/s | allocated/op | allocs/op |\n")
	b.WriteString("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	for _, r := range rows {
		ratio, cpuRatio := "—", "—"
		cpu, hasCPU := r.metric("cpu-ms/op")
		if base, ok := byKey[r.bench+"/100"]; ok {
			ratio = fmt.Sprintf("%.1f", r.medianNs()/base.medianNs())
			if baseCPU, ok := base.metric("cpu-ms/op"); ok && hasCPU && baseCPU > 0 {
				cpuRatio = fmt.Sprintf("%.1f", cpu/baseCPU)
			}
		}
		cpuTime := "—"
		if hasCPU {
			cpuTime = seconds(cpu * 1e6)
		}
		fmt.Fprintf(&b, "| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
			r.bench, r.n, seconds(r.medianNs()), ratio, cpuTime, cpuRatio, mib(r.peakRSS()),
			count0(r, "resources", "names"), count0(r, "resources/s"), bytesMetric(r), count0(r, "allocs/op"))
	}
	var goals strings.Builder
	goal := func(name, measured string, met bool) {
		verdict := "yes"
		if !met {
			verdict = "**no**"
		}
		fmt.Fprintf(&goals, "| %s | %s | %s |\n", name, measured, verdict)
	}
	if r := byKey["Evaluate/1000"]; r != nil {
		goal(fmt.Sprintf("evaluation at 1,000 modules ≤ %d s", goalEvaluateSeconds), seconds(r.medianNs()), r.medianNs() <= goalEvaluateSeconds*1e9)
		goal("evaluation at 1,000 modules ≤ 1 GiB peak", mib(r.peakRSS()), r.peakRSS() <= goalEvaluateBytes)
	}
	for _, bench := range []string{"Load", "Evaluate", "PolicyCheck"} {
		hi, lo := byKey[bench+"/1000"], byKey[bench+"/100"]
		if hi == nil || lo == nil {
			continue
		}
		ratio := hi.medianNs() / lo.medianNs()
		goal(fmt.Sprintf("%s: time(1,000) ÷ time(100) ≤ %d", bench, goalRatio), fmt.Sprintf("%.1f", ratio), ratio <= goalRatio)
	}
	if r := byKey["PolicyCheck/1000"]; r != nil {
		goal(fmt.Sprintf("offline policy check at 1,000 modules < %d s", goalCheckSeconds), seconds(r.medianNs()), r.medianNs() < goalCheckSeconds*1e9)
	}
	if goals.Len() > 0 {
		b.WriteString("\nGoals (issue 7), against this run:\n\n| goal | measured | met |\n| --- | --- | --- |\n")
		b.WriteString(goals.String())
	}
	return b.String()
}

// writeSection replaces the part of the file between the markers with text, or appends the
// markers and text to the file when it has none.
func writeSection(file, text string) error {
	data, err := os.ReadFile(file)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	content := string(data)
	section := beginMarker + "\n" + text + endMarker
	before, rest, ok := strings.Cut(content, beginMarker)
	if ok {
		_, after, ok := strings.Cut(rest, endMarker)
		if !ok {
			return fmt.Errorf("%s has %s but no %s", file, beginMarker, endMarker)
		}
		content = before + section + after
	} else {
		if content != "" && !strings.HasSuffix(content, "\n") {
			content += "\n"
		}
		content += "\n" + section + "\n"
	}
	return os.WriteFile(file, []byte(content), 0o644)
}

// moduleRoot is the folder of the go.mod of the current module.
func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("finding the module: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("run it inside the repository (no go.mod found)")
	}
	return filepath.Dir(gomod), nil
}

func median(vs []float64) float64 {
	s := slices.Clone(vs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func seconds(ns float64) string {
	switch d := time.Duration(ns); {
	case d >= time.Second:
		return fmt.Sprintf("%.2f s", d.Seconds())
	case d >= time.Millisecond:
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	default:
		return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond))
	}
}

func mib(b int64) string { return fmt.Sprintf("%d MiB", b>>20) }

// count0 is the median of the first of the metrics the row reports, as an integer.
func count0(r *row, units ...string) string {
	for _, unit := range units {
		if v, ok := r.metric(unit); ok {
			s := strconv.FormatFloat(v, 'f', 0, 64)
			if unit != units[0] {
				s += " " + unit
			}
			return s
		}
	}
	return "—"
}

func bytesMetric(r *row) string {
	v, ok := r.metric("B/op")
	if !ok {
		return "—"
	}
	switch {
	case v >= 1<<30:
		return fmt.Sprintf("%.2f GiB", v/(1<<30))
	case v >= 1<<20:
		return fmt.Sprintf("%.1f MiB", v/(1<<20))
	default:
		return fmt.Sprintf("%.0f KiB", v/(1<<10))
	}
}
