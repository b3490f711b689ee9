package manifest

import "fmt"

// ErrorAt is a problem with a field of the space file, placed at the line and column the
// loader recorded for the field. It is for what only the program can judge, because it
// depends on something the catalog does not say (whether the cluster runs the mesh).
func (s *Space) ErrorAt(field, format string, args ...any) Error {
	at := s.source.pos.at(field)
	return Error{File: s.source.name, Line: at.line, Column: at.col, Field: field, Message: fmt.Sprintf(format, args...)}
}
