package opsummary

import (
	"reflect"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
)

func pre(op, typ, name string) apitype.EngineEvent {
	return apitype.EngineEvent{ResourcePreEvent: &apitype.ResourcePreEvent{Metadata: meta(op, typ, name)}}
}

func outs(op, typ, name string) apitype.EngineEvent {
	return apitype.EngineEvent{ResOutputsEvent: &apitype.ResOutputsEvent{Metadata: meta(op, typ, name)}}
}

func meta(op, typ, name string) apitype.StepEventMetadata {
	urn := "urn:pulumi:dev::conveyor::" + typ + "::" + name
	st := &apitype.StepEventStateMetadata{Type: typ, URN: urn, Custom: true}
	return apitype.StepEventMetadata{Op: apitype.OpType(op), URN: urn, Type: typ, Old: st, New: st}
}

func component(op, name string) apitype.StepEventMetadata {
	m := meta(op, "conveyor:platform:Module", name)
	m.Old, m.New = nil, &apitype.StepEventStateMetadata{Type: m.Type, URN: m.URN}
	return m
}

func TestCollector(t *testing.T) {
	tests := []struct {
		name      string
		events    []apitype.EngineEvent
		expect    int
		wantOps   map[string]string // resource name -> op, for the changing ones
		wantDone  []int             // Done of each progress report
		wantTotal []int
		result    string
	}{
		{
			name: "replacement folds into one replace",
			events: []apitype.EngineEvent{
				pre("create-replacement", "t:a", "x"), outs("create-replacement", "t:a", "x"),
				pre("replace", "t:a", "x"), outs("replace", "t:a", "x"),
				pre("delete-replaced", "t:a", "x"), outs("delete-replaced", "t:a", "x"),
			},
			wantOps: map[string]string{"x": "replace"},
			// Reported done when its first step ends; later steps only start.
			wantDone:  []int{0, 1, 1, 1},
			wantTotal: []int{1, 1, 1, 1},
			result:    Succeeded,
		},
		{
			name:      "total is the larger of the estimate and what was seen",
			events:    []apitype.EngineEvent{pre("same", "t:a", "x"), outs("same", "t:a", "x"), pre("create", "t:a", "y"), outs("create", "t:a", "y")},
			expect:    5,
			wantOps:   map[string]string{"y": "create"},
			wantDone:  []int{0, 1, 1, 2},
			wantTotal: []int{5, 5, 5, 5},
			result:    Succeeded,
		},
		{
			name: "a component is done when announced, and counted once",
			events: []apitype.EngineEvent{
				{ResourcePreEvent: &apitype.ResourcePreEvent{Metadata: component("create", "m")}},
				{ResOutputsEvent: &apitype.ResOutputsEvent{Metadata: component("create", "m")}},
				pre("create", "t:a", "x"), outs("create", "t:a", "x"),
			},
			wantOps:   map[string]string{"m": "create", "x": "create"},
			wantDone:  []int{1, 1, 2},
			wantTotal: []int{1, 2, 2},
			result:    Succeeded,
		},
		{
			name: "a failed step fails the operation",
			events: []apitype.EngineEvent{
				pre("update", "t:a", "x"),
				{ResOpFailedEvent: &apitype.ResOpFailedEvent{Metadata: meta("update", "t:a", "x")}},
			},
			wantOps:   map[string]string{"x": "update"},
			wantDone:  []int{0, 1},
			wantTotal: []int{1, 1},
			result:    Failed,
		},
		{
			name: "refresh reports what it found only when the step ends",
			events: []apitype.EngineEvent{
				pre("refresh", "t:a", "gone"),
				{ResOutputsEvent: &apitype.ResOutputsEvent{Metadata: func() apitype.StepEventMetadata {
					m := meta("refresh", "t:a", "gone")
					m.New = nil
					return m
				}()}},
				pre("refresh", "t:a", "drifted"),
				{ResOutputsEvent: &apitype.ResOutputsEvent{Metadata: func() apitype.StepEventMetadata {
					m := meta("refresh", "t:a", "drifted")
					m.Diffs = []string{"labels"}
					return m
				}()}},
				pre("refresh", "t:a", "fine"), outs("refresh", "t:a", "fine"),
			},
			wantOps:   map[string]string{"gone": "delete", "drifted": "update"},
			wantDone:  []int{0, 1, 1, 2, 2, 3},
			wantTotal: []int{1, 1, 2, 2, 3, 3},
			result:    Succeeded,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewCollector("update", "dev", false)
			c.Expect(tt.expect)
			var done, total []int
			c.OnProgress(func(p Progress) { done = append(done, p.Done); total = append(total, p.Total) })
			for _, e := range tt.events {
				c.Add(e)
			}
			s := c.Summary()
			got := map[string]string{}
			for _, r := range s.Resources {
				got[r.Name] = r.Op
			}
			if !reflect.DeepEqual(got, tt.wantOps) {
				t.Errorf("ops = %v, want %v", got, tt.wantOps)
			}
			if !reflect.DeepEqual(done, tt.wantDone) || !reflect.DeepEqual(total, tt.wantTotal) {
				t.Errorf("progress done=%v total=%v, want done=%v total=%v", done, total, tt.wantDone, tt.wantTotal)
			}
			if s.Result != tt.result {
				t.Errorf("result = %s, want %s", s.Result, tt.result)
			}
		})
	}
}
