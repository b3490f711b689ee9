package evaluationtest

import "github.com/conveyor-paas/conveyor/evaluation"

// OfType returns the resources of one type token in rec.
func OfType(rec *evaluation.Recording, typ string) []evaluation.Resource {
	var out []evaluation.Resource
	for _, res := range rec.Resources {
		if res.Type == typ {
			out = append(out, res)
		}
	}
	return out
}

// Find returns the resource of that type and logical name in rec, or nil.
func Find(rec *evaluation.Recording, typ, name string) *evaluation.Resource {
	for i := range rec.Resources {
		if rec.Resources[i].Type == typ && rec.Resources[i].Name == name {
			return &rec.Resources[i]
		}
	}
	return nil
}

// ByURN returns the resource of that URN in rec, or nil.
func ByURN(rec *evaluation.Recording, urn string) *evaluation.Resource {
	for i := range rec.Resources {
		if rec.Resources[i].URN == urn {
			return &rec.Resources[i]
		}
	}
	return nil
}
