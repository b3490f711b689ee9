package evaluation

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/conveyor-paas/conveyor/naming"
)

// Fingerprints are digests of what a program declares: every resource's URN, type, parent,
// provider, dependencies and inputs, one digest for each module (its Module component and
// everything under it by the parent chain) and one for the rest (the base: the environment's
// namespaces, platform, providers). Two evaluations that declare the same resources with the
// same inputs have the same fingerprints; an engine given the same program and the state an
// update with these fingerprints left would find nothing to change. That is what lets the
// command skip the engine for what did not change since its last update.
//
// A fingerprint is recorded in plain text, so it holds no secret: a secret value counts as
// "a secret" whatever it is. In an offline evaluation secrets are either simulated (random
// passwords: the live value is the state's) or come from the stack's configuration, whose
// ciphertext the caller adds (a new value is a new ciphertext).
type Fingerprints struct {
	Base    string            `json:"base"`
	Modules map[string]string `json:"modules"`
}

// Fingerprints digests the recording (see Fingerprints).
func (r *Recording) Fingerprints() Fingerprints {
	byURN := make(map[string]*Resource, len(r.Resources))
	for i := range r.Resources {
		byURN[r.Resources[i].URN] = &r.Resources[i]
	}
	// The module of each resource: the name of the first Module component up its parent chain.
	moduleOf := make(map[string]string, len(r.Resources))
	var find func(urn string, depth int) string
	find = func(urn string, depth int) string {
		if m, ok := moduleOf[urn]; ok {
			return m
		}
		res := byURN[urn]
		m := ""
		switch {
		case res == nil || depth > len(r.Resources):
		case res.Type == naming.TypeModule:
			m = res.Name
		default:
			m = find(res.Parent, depth+1)
		}
		moduleOf[urn] = m
		return m
	}
	// Each resource's digest, then each module's from its resources' sorted by URN: the
	// registration order is no part of a fingerprint, since resources registered from an
	// output's apply come in whatever order their goroutines run.
	type entry struct{ urn, sum string }
	byModule := map[string][]entry{}
	for i := range r.Resources {
		res := &r.Resources[i]
		h := sha256.New()
		writeResource(h, res)
		m := find(res.URN, 0)
		byModule[m] = append(byModule[m], entry{res.URN, string(h.Sum(nil))})
	}
	out := Fingerprints{Modules: map[string]string{}}
	for m, entries := range byModule {
		slices.SortFunc(entries, func(a, b entry) int { return strings.Compare(a.urn+"\x00"+a.sum, b.urn+"\x00"+b.sum) })
		h := sha256.New()
		for _, e := range entries {
			writeString(h, e.sum)
		}
		sum := hex.EncodeToString(h.Sum(nil))
		if m == "" {
			out.Base = sum
		} else {
			out.Modules[m] = sum
		}
	}
	return out
}

// Environment is one digest of every fingerprint: equal when the base and every module are.
func (f Fingerprints) Environment() string {
	h := sha256.New()
	writeString(h, f.Base)
	for _, m := range slices.Sorted(maps.Keys(f.Modules)) {
		writeString(h, m)
		writeString(h, f.Modules[m])
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Changed lists, sorted, the modules whose fingerprint differs between f and g, a module
// that only one of them has included. The base is compared apart (f.Base != g.Base).
func (f Fingerprints) Changed(g Fingerprints) []string {
	var out []string
	for m, d := range f.Modules {
		if g.Modules[m] != d {
			out = append(out, m)
		}
	}
	for m := range g.Modules {
		if _, ok := f.Modules[m]; !ok {
			out = append(out, m)
		}
	}
	slices.Sort(out)
	return out
}

// writeResource writes what the engine compares of a resource. Registration order is left
// out: the engine does not diff it, and the program's goroutines may change it.
func writeResource(h hash.Hash, r *Resource) {
	writeString(h, r.URN)
	writeString(h, r.Type)
	writeString(h, r.Parent)
	writeString(h, r.Provider)
	writeString(h, strconv.FormatBool(r.Custom)+strconv.FormatBool(r.Protect))
	deps := slices.Sorted(slices.Values(r.Dependencies))
	writeLen(h, len(deps))
	for _, d := range deps {
		writeString(h, d)
	}
	writeValue(h, resource.NewObjectProperty(r.Inputs))
}

// writeValue writes v unambiguously: a tag for its kind, then its contents, an object's keys
// sorted. A secret is written as its tag alone.
func writeValue(h hash.Hash, v resource.PropertyValue) {
	switch {
	case v.IsSecret():
		writeString(h, "secret")
	case v.IsNull():
		writeString(h, "null")
	case v.IsBool():
		writeString(h, "bool:"+strconv.FormatBool(v.BoolValue()))
	case v.IsNumber():
		writeString(h, "number:"+strconv.FormatFloat(v.NumberValue(), 'g', -1, 64))
	case v.IsString():
		writeString(h, "string")
		writeString(h, v.StringValue())
	case v.IsArray():
		writeString(h, "array")
		writeLen(h, len(v.ArrayValue()))
		for _, e := range v.ArrayValue() {
			writeValue(h, e)
		}
	case v.IsObject():
		obj := v.ObjectValue()
		writeString(h, "object")
		writeLen(h, len(obj))
		for _, k := range obj.StableKeys() {
			writeString(h, string(k))
			writeValue(h, obj[k])
		}
	case v.IsComputed():
		writeString(h, "computed")
	case v.IsOutput():
		o := v.OutputValue()
		writeString(h, "output:"+strconv.FormatBool(o.Known))
		if o.Secret {
			writeString(h, "secret")
			return
		}
		writeValue(h, o.Element)
		writeLen(h, len(o.Dependencies))
		for _, d := range slices.Sorted(slices.Values(o.Dependencies)) {
			writeString(h, string(d))
		}
	case v.IsResourceReference():
		ref := v.ResourceReferenceValue()
		writeString(h, "ref")
		writeString(h, string(ref.URN))
		writeValue(h, ref.ID)
		writeString(h, ref.PackageVersion)
	case v.IsAsset():
		a := v.AssetValue()
		writeString(h, "asset")
		writeString(h, a.Hash+"\x00"+a.Text+"\x00"+a.Path+"\x00"+a.URI)
	case v.IsArchive():
		a := v.ArchiveValue()
		writeString(h, "archive")
		writeString(h, a.Hash+"\x00"+a.Path+"\x00"+a.URI)
		writeLen(h, len(a.Assets))
		for _, k := range slices.Sorted(maps.Keys(a.Assets)) {
			writeString(h, k)
		}
	default:
		writeString(h, "other:"+v.TypeString())
	}
}

// writeString writes s with its length first, so that no two sequences of strings write the
// same bytes.
func writeString(h hash.Hash, s string) {
	writeLen(h, len(s))
	h.Write([]byte(s))
}

func writeLen(h hash.Hash, n int) {
	var b [binary.MaxVarintLen64]byte
	h.Write(b[:binary.PutUvarint(b[:], uint64(n))])
}
