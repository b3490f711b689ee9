// Package randomdouble is a TEST DOUBLE of the Pulumi random provider: a resource provider
// plugin of Conveyor's own that implements only what Conveyor uses of pulumi-random, the
// RandomPassword resource with its length and special inputs and its secret result.
//
// It exists because the real random provider plugin cannot be obtained on the machines that
// run Conveyor's tests (the Go module proxy does not serve it), while the real-engine tier
// needs a provider behind every resource the program registers. It is built by the tests
// (see harness.EnginePlugins) as a binary named pulumi-resource-random, which the Pulumi
// engine takes from PATH (with a warning) instead of a plugin it would have to download.
//
// What it does like the real provider: every input forces a replacement, the id is "none",
// the result is a secret of exactly length characters drawn from letters and digits (and
// symbols when special is true), and it is generated once, at creation, so a second update
// changes nothing. What it does not do: any input other than length and special is refused
// by Check, so that a program relying on more than the double implements fails loudly rather
// than passing for a test of something the double ignores.
package randomdouble

import (
	"context"
	"crypto/rand"
	"fmt"
	"math/big"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
)

// Name is the plugin's package name, and the binary is pulumi-resource-<Name>.
const Name = "random"

// PasswordType is the one resource type the double implements.
const PasswordType = "random:index/randomPassword:RandomPassword"

// Version is what the double reports: the pulumi-random SDK version Conveyor is built with,
// marked as a test double so that no state it writes passes for the real provider's.
const Version = "4.21.1-conveyor.testdouble"

// Character sets, as pulumi-random's defaults (upper, lower, numeric on; special toggled).
const (
	alphanumeric = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	specials     = "!@#$%&*()-_=+[]{}<>:?"
)

var inputs = []string{"length", "special"}

// Server is the provider's gRPC service.
type Server struct {
	pulumirpc.UnimplementedResourceProviderServer
}

// New returns the provider.
func New() *Server { return &Server{} }

var marshal = plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true, SkipNulls: true}

func (s *Server) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: Version}, nil
}

func (s *Server) Handshake(context.Context, *pulumirpc.ProviderHandshakeRequest) (*pulumirpc.ProviderHandshakeResponse, error) {
	return &pulumirpc.ProviderHandshakeResponse{AcceptSecrets: true}, nil
}

// The provider has no configuration.

func (s *Server) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

func (s *Server) DiffConfig(context.Context, *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
}

func (s *Server) Configure(context.Context, *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	return &pulumirpc.ConfigureResponse{AcceptSecrets: true}, nil
}

// Check accepts length (a whole number from 1 to 1024) and special (a boolean), and nothing
// else.
func (s *Server) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	if err := checkType(req.GetType(), req.GetUrn()); err != nil {
		return nil, err
	}
	news, err := plugin.UnmarshalProperties(req.GetNews(), marshal)
	if err != nil {
		return nil, fmt.Errorf("reading the inputs: %w", err)
	}
	var failures []*pulumirpc.CheckFailure
	fail := func(prop, format string, args ...any) {
		failures = append(failures, &pulumirpc.CheckFailure{Property: prop, Reason: fmt.Sprintf(format, args...)})
	}
	for k := range news {
		if !slices.Contains(inputs, string(k)) {
			fail(string(k), "the random provider's test double implements only %s of RandomPassword", strings.Join(inputs, " and "))
		}
	}
	if l, ok := news["length"]; !ok {
		fail("length", "length is required")
	} else if known(l) {
		if n, ok := number(l); !ok || n < 1 || n > 1024 || n != float64(int(n)) {
			fail("length", "length must be a whole number from 1 to 1024, not %v", l)
		}
	}
	if sp, ok := news["special"]; ok && known(sp) && !unwrap(sp).IsBool() {
		fail("special", "special must be a boolean, not %v", sp)
	}
	return &pulumirpc.CheckResponse{Inputs: req.GetNews(), Failures: failures}, nil
}

// Diff replaces the password when any input changes, as pulumi-random does.
func (s *Server) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	olds, err := plugin.UnmarshalProperties(req.GetOldInputs(), marshal)
	if err != nil {
		return nil, fmt.Errorf("reading the old inputs: %w", err)
	}
	news, err := plugin.UnmarshalProperties(req.GetNews(), marshal)
	if err != nil {
		return nil, fmt.Errorf("reading the new inputs: %w", err)
	}
	var changed []string
	for _, k := range inputs {
		o, n := olds[resource.PropertyKey(k)], news[resource.PropertyKey(k)]
		if !known(n) || !unwrap(o).DeepEquals(unwrap(n)) {
			changed = append(changed, k)
		}
	}
	if len(changed) == 0 {
		return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
	}
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_SOME, Diffs: changed, Replaces: changed}, nil
}

// Create generates the password.
func (s *Server) Create(_ context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	if err := checkType(req.GetType(), req.GetUrn()); err != nil {
		return nil, err
	}
	props, err := plugin.UnmarshalProperties(req.GetProperties(), marshal)
	if err != nil {
		return nil, fmt.Errorf("reading the inputs: %w", err)
	}
	n, ok := number(props["length"])
	if !ok {
		return nil, status.Error(codes.InvalidArgument, "length is not a number")
	}
	charset := alphanumeric
	if sp := unwrap(props["special"]); sp.IsBool() && sp.BoolValue() {
		charset += specials
	}
	result, err := generate(int(n), charset)
	if err != nil {
		return nil, err
	}
	outs := props.Copy()
	outs["result"] = resource.MakeSecret(resource.NewStringProperty(result))
	st, err := plugin.MarshalProperties(outs, marshal)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CreateResponse{Id: "none", Properties: st}, nil
}

// Read returns the state as recorded: the password exists only in the state.
func (s *Server) Read(_ context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	return &pulumirpc.ReadResponse{Id: req.GetId(), Properties: req.GetProperties(), Inputs: req.GetInputs()}, nil
}

// Update is never needed, since every change replaces; it keeps the old outputs.
func (s *Server) Update(_ context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	return &pulumirpc.UpdateResponse{Properties: req.GetOlds()}, nil
}

// Delete forgets the password; there is nothing outside the state to remove.
func (s *Server) Delete(context.Context, *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

func (s *Server) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

func (s *Server) GetSchema(context.Context, *pulumirpc.GetSchemaRequest) (*pulumirpc.GetSchemaResponse, error) {
	return &pulumirpc.GetSchemaResponse{Schema: schema}, nil
}

// schema declares the one resource, with result as a secret output.
const schema = `{"name":"random","version":"` + Version + `","resources":{"` + PasswordType + `":{` +
	`"description":"Test double of pulumi-random's RandomPassword.",` +
	`"inputProperties":{"length":{"type":"integer"},"special":{"type":"boolean"}},"requiredInputs":["length"],` +
	`"properties":{"length":{"type":"integer"},"special":{"type":"boolean"},"result":{"type":"string","secret":true}},` +
	`"required":["length","result"]}}}`

func checkType(typ, urn string) error {
	if typ == "" {
		// Older engines send only the URN: urn:pulumi:stack::project::type::name.
		parts := strings.Split(urn, "::")
		if len(parts) >= 3 {
			typ = parts[2]
			if i := strings.LastIndex(typ, "$"); i >= 0 {
				typ = typ[i+1:]
			}
		}
	}
	if typ != PasswordType {
		return status.Errorf(codes.Unimplemented, "the random provider's test double implements only %s, not %s", PasswordType, typ)
	}
	return nil
}

func generate(n int, charset string) (string, error) {
	out := make([]byte, n)
	size := big.NewInt(int64(len(charset)))
	for i := range out {
		j, err := rand.Int(rand.Reader, size)
		if err != nil {
			return "", fmt.Errorf("reading random bytes: %w", err)
		}
		out[i] = charset[j.Int64()]
	}
	return string(out), nil
}

func unwrap(v resource.PropertyValue) resource.PropertyValue {
	for v.IsSecret() {
		v = v.SecretValue().Element
	}
	return v
}

func known(v resource.PropertyValue) bool {
	return !unwrap(v).ContainsUnknowns()
}

func number(v resource.PropertyValue) (float64, bool) {
	v = unwrap(v)
	if !v.IsNumber() {
		return 0, false
	}
	return v.NumberValue(), true
}
