package graph

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/fogleman/gg"
	"github.com/goccy/go-graphviz"
	"github.com/goccy/go-graphviz/gvc"
	"github.com/golang/freetype/truetype"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/goregular"
)

// Image formats.
const (
	SVG = "svg"
	PNG = "png"
)

// WriteImage lays the graph out with graphviz and writes it as an SVG or a PNG.
func (g *Graph) WriteImage(ctx context.Context, w io.Writer, format string) error {
	var f graphviz.Format
	switch format {
	case SVG:
		f = graphviz.SVG
	case PNG:
		f = graphviz.PNG
	default:
		return fmt.Errorf("no image format %q (svg or png)", format)
	}
	png, err := gvc.NewRenderPlugin(ctx, PNG, &pngRenderer{DefaultRenderEngine: new(gvc.DefaultRenderEngine)})
	if err != nil {
		return fmt.Errorf("graphviz: %w", err)
	}
	device, err := gvc.PNGDevicePlugin(ctx)
	if err != nil {
		return fmt.Errorf("graphviz: %w", err)
	}
	gv, err := graphviz.NewWithPlugins(ctx, png, device)
	if err != nil {
		return fmt.Errorf("graphviz: %w", err)
	}
	defer gv.Close()
	parsed, err := graphviz.ParseBytes([]byte(g.DOT().String()))
	if err != nil {
		return fmt.Errorf("graphviz cannot read the graph: %w", err)
	}
	defer parsed.Close()
	var buf bytes.Buffer
	if err := gv.Render(ctx, parsed, f, &buf); err != nil {
		return fmt.Errorf("graphviz: rendering %s: %w", format, err)
	}
	_, err = w.Write(buf.Bytes())
	return err
}

// pngRenderer draws what graphviz lays out onto an image with gg. It stands in for
// go-graphviz's own PNG renderer, which (v0.2.10) is told that every shape is filled, and so
// paints node outlines over in white and edges as empty areas: here a closed shape is filled
// with its fill colour and outlined with its pen colour, an open curve only stroked, as
// graphviz's own renderers do. Text is set in Go's embedded font, so an image is the same on every
// machine, fonts installed or not.
type pngRenderer struct {
	*gvc.DefaultRenderEngine
	dc *gg.Context
}

var (
	faceOnce sync.Once
	faceFont *truetype.Font
	faceErr  error
)

func (r *pngRenderer) face(size float64) (font.Face, error) {
	faceOnce.Do(func() { faceFont, faceErr = truetype.Parse(goregular.TTF) })
	if faceErr != nil {
		return nil, faceErr
	}
	return truetype.NewFace(faceFont, &truetype.Options{Size: size}), nil
}

func (r *pngRenderer) x(job *gvc.Job, v float64) float64 { return job.Scale().X() * v }
func (r *pngRenderer) y(job *gvc.Job, v float64) float64 { return job.Scale().Y() * v }

func (r *pngRenderer) BeginPage(_ context.Context, job *gvc.Job) error {
	r.dc = gg.NewContext(int(job.Width()), int(job.Height()))
	t := job.Translation()
	r.dc.Translate(r.x(job, t.X()), r.y(job, -t.Y()))
	return nil
}

func (r *pngRenderer) EndPage(_ context.Context, job *gvc.Job) error {
	var buf bytes.Buffer
	if err := r.dc.EncodePNG(&buf); err != nil {
		return err
	}
	job.SetOutputData(buf.Bytes())
	job.SetOutputDataPosition(uint(buf.Len()))
	return nil
}

func setColor(dc *gg.Context, c *gvc.Color) {
	v := c.RGBAUint()
	dc.SetRGBA255(int(v[0]), int(v[1]), int(v[2]), int(v[3]))
}

// pen sets the line of the current object: its width, dashes and colour.
func (r *pngRenderer) pen(job *gvc.Job) {
	o := job.Object()
	switch o.Pen() {
	case gvc.PenDashed:
		r.dc.SetDash(4 * job.Zoom())
	case gvc.PenDotted:
		r.dc.SetDash(1*job.Zoom(), 3*job.Zoom())
	default:
		r.dc.SetDash()
	}
	r.dc.SetLineWidth(o.PenWidth() * job.Zoom())
	setColor(r.dc, o.PenColor())
}

// paint fills the path with the fill colour, unless it is transparent, then strokes it.
func (r *pngRenderer) paint(job *gvc.Job, fill bool) {
	if c := job.Object().FillColor(); fill && c.RGBAUint()[3] > 0 {
		setColor(r.dc, c)
		r.dc.FillPreserve()
	}
	r.pen(job)
	r.dc.Stroke()
}

func (r *pngRenderer) Ellipse(_ context.Context, job *gvc.Job, p []*gvc.PointFloat, _ bool) error {
	r.dc.Push()
	defer r.dc.Pop()
	r.dc.DrawEllipse(r.x(job, p[0].X()), r.y(job, -p[0].Y()), r.x(job, p[1].X()-p[0].X()), r.y(job, p[1].Y()-p[0].Y()))
	r.paint(job, true)
	return nil
}

// lines draws straight lines through the points.
func (r *pngRenderer) lines(job *gvc.Job, a []*gvc.PointFloat) {
	r.dc.MoveTo(r.x(job, a[0].X()), r.y(job, -a[0].Y()))
	for _, p := range a[1:] {
		r.dc.LineTo(r.x(job, p.X()), r.y(job, -p.Y()))
	}
}

func (r *pngRenderer) Polygon(_ context.Context, job *gvc.Job, a []*gvc.PointFloat, _ bool) error {
	r.dc.Push()
	defer r.dc.Pop()
	r.lines(job, a)
	r.dc.ClosePath()
	r.paint(job, true)
	return nil
}

func (r *pngRenderer) BezierCurve(_ context.Context, job *gvc.Job, a []*gvc.PointFloat, _ bool) error {
	r.dc.Push()
	defer r.dc.Pop()
	r.dc.MoveTo(r.x(job, a[0].X()), r.y(job, -a[0].Y()))
	for i := 1; i+2 < len(a); i += 3 {
		r.dc.CubicTo(r.x(job, a[i].X()), r.y(job, -a[i].Y()), r.x(job, a[i+1].X()), r.y(job, -a[i+1].Y()), r.x(job, a[i+2].X()), r.y(job, -a[i+2].Y()))
	}
	// A closed curve is a shape (a rounded box), filled like one; an open one an edge.
	first, last := a[0], a[len(a)-1]
	r.paint(job, first.X() == last.X() && first.Y() == last.Y())
	return nil
}

func (r *pngRenderer) Polyline(_ context.Context, job *gvc.Job, a []*gvc.PointFloat) error {
	r.dc.Push()
	defer r.dc.Pop()
	r.lines(job, a)
	r.paint(job, false)
	return nil
}

func (r *pngRenderer) TextSpan(_ context.Context, job *gvc.Job, p *gvc.PointFloat, span *gvc.TextSpan) error {
	r.dc.Push()
	defer r.dc.Pop()
	face, err := r.face(span.Font().Size() * job.Zoom())
	if err != nil {
		return err
	}
	r.dc.SetFontFace(face)
	setColor(r.dc, job.Object().PenColor())
	x := r.x(job, p.X())
	switch span.Just() {
	case 'r':
		x -= r.x(job, span.Size().X())
	case 'l':
	default:
		x -= r.x(job, span.Size().X()/2)
	}
	y := r.y(job, p.Y()+span.YOffsetCenterLine()+span.YOffsetLayout())
	r.dc.DrawStringAnchored(span.Text(), x, -y, 0, 0)
	return nil
}
