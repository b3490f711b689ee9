package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/comment"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/envview"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/graph"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/opsummary"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/status"
	"github.com/conveyor-paas/conveyor/evaluation/cost"
	"github.com/conveyor-paas/conveyor/manifest"
	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/policy/rules"
)

// commentSources are the files and the git revision a comment's parts come from.
type commentSources struct {
	// policy is a report from `policy check --json` (the policy gate's, say); without it
	// the report is computed with policy/offline.
	policy string
	// base is the git revision the branch is compared with; $GITHUB_BASE_REF's remote branch
	// in a pull request's workflow when empty.
	base string
	// costAgainst is the environment whose estimate the comment's is compared with.
	costAgainst string
}

func (s *commentSources) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&s.policy, "policy-report", "", "the policy report to show, as 'conveyor policy check --json' writes it (default: check now)")
	cmd.Flags().StringVar(&s.costAgainst, "cost-against", "dev", "compare the monthly cost estimate with this environment's, where the pull request goes ('' for none)")
	cmd.Flags().StringVar(&s.base, "changed-since", "", "highlight the modules changed since this git revision (default: origin/$GITHUB_BASE_REF in a pull request)")
}

func (s *commentSources) baseRevision() string {
	if s.base == "" && os.Getenv("GITHUB_BASE_REF") != "" {
		return "origin/" + os.Getenv("GITHUB_BASE_REF")
	}
	return s.base
}

// commentParts makes every part of env's comment but the summary and the status, from the
// environment's offline view (its stack file). What cannot be made says why in its place: a
// comment must never fail the preview it reports.
func commentParts(ctx context.Context, root, env string, src commentSources) comment.Parts {
	p := comment.Parts{Environment: env}
	stack, err := naming.ParseStack(env)
	if err != nil {
		p.PolicyError, p.GraphError = err.Error(), err.Error()
		return p
	}
	v, err := envview.Open(ctx, envview.Source{Root: root, Stack: stack})
	if err != nil {
		p.PolicyError, p.GraphError = err.Error(), err.Error()
		return p
	}
	if cat, err := v.Catalog(); err != nil {
		p.GraphError = err.Error()
		if src.policy == "" {
			p.PolicyError = err.Error()
		}
	} else {
		p.Graph, p.Changes, err = commentGraph(ctx, v, cat, src.baseRevision())
		if err != nil {
			p.GraphError = err.Error()
		}
		commentDesired(ctx, v, &p, src.policy == "")
	}
	if doc, err := costOf(root, env, src.costAgainst, "", cost.Committed()); err != nil {
		p.CostError = err.Error()
	} else {
		p.Cost, p.CostDelta = &doc.Estimate, doc.Delta
	}
	if src.policy != "" {
		var r rules.Report
		if err := readJSON(src.policy, &r); err != nil {
			p.PolicyError = err.Error()
		} else {
			p.Policy = &r
		}
	}
	return p
}

// commentGraph is the catalog's dependency graph, with the modules changed since base (when
// set) highlighted.
func commentGraph(ctx context.Context, v *envview.View, cat *manifest.Catalog, base string) (*graph.Graph, *graph.Changes, error) {
	opts := graph.Options{Title: v.Env(), Meshed: graph.Meshed}
	if base != "" {
		var err error
		if opts.Changes, err = graph.ChangesSince(ctx, v.CatalogDir(), base, cat); err != nil {
			return nil, nil, err
		}
	}
	return graph.Build(cat, opts), opts.Changes, nil
}

// commentDesired fills in the endpoints of the environment's desired state and, with
// checkPolicy, the policy report of the same evaluation.
func commentDesired(ctx context.Context, v *envview.View, p *comment.Parts, checkPolicy bool) {
	if _, err := v.Evaluate(ctx); err != nil {
		if checkPolicy {
			p.PolicyError = err.Error()
		}
		return
	}
	if d, err := v.Desired(ctx, ""); err == nil {
		p.Endpoints = endpoints(d)
	}
	if checkPolicy {
		r, _ := v.Policy(ctx, rules.Config{}) // the evaluation above succeeded
		p.Policy = &r
	}
}

// endpoints are the in-cluster URLs of every api of the desired state.
func endpoints(d *status.Desired) []comment.Endpoint {
	var out []comment.Endpoint
	for _, m := range d.Modules {
		for _, w := range m.Workloads {
			if w.Service != "" {
				out = append(out, comment.Endpoint{Module: m.Name, Component: w.Component, URL: naming.ServiceURL(w.Service, w.Namespace, w.Port)})
			}
		}
	}
	return out
}

func readJSON(path string, into any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, into); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// prTarget is where --post puts a comment: "owner/name#number".
var prTarget = regexp.MustCompile(`^([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)#([0-9]+)$`)

func newComment(d *deps) *cobra.Command {
	var env, preview, statusFile, post, bodyFile string
	var src commentSources
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "comment --env <env>",
		Short: "Compose an environment's pull-request comment, and keep it up to date",
		Long: `Comment composes the one comment a pull request gets about its ad-hoc environment:
the environment's endpoints, the plan summary of its preview (--preview, from 'conveyor
preview --json'), the policy report (--policy-report from 'conveyor policy check --json', or
checked now), the dependency graph with the modules the branch adds or changes highlighted,
and once the environment is deployed its status (--status, from 'conveyor status --json').
Of a split environment ('conveyor env split') both cover its base and every module stack: the
preview adds up their changes, and the status compares what runs with the images the module
stacks recorded.

It prints the comment's Markdown. --post also puts it on the pull request, through
GitHub's API ($GITHUB_TOKEN, $GITHUB_API_URL): the comment that github-actions[bot] wrote
with the environment's marker (<!-- conveyor-preview:<env> -->) is edited in place, so each
push updates one comment; only the first posts one. A comment someone else wrote with the
marker is never edited.

--body posts a comment composed before, by a job that held no GITHUB_TOKEN: the job that
runs a pull request's program composes the comment into a file, and a job that runs none of
the pull request's code posts that file. Its first line must be the environment's marker.

'conveyor preview --markdown' prints the same comment, with its own summary.

Exits 0 on success, 1 when posting failed, 3 on a bad command line, 4 when a file or
$GITHUB_TOKEN is missing.`,
		Example: `  # in the pull-request workflow, after the preview
  conveyor preview --env pr-123 --json > preview.json
  conveyor comment --env pr-123 --preview preview.json --post "$GITHUB_REPOSITORY#123"

  # once deployed, the same comment with the status
  conveyor status --env pr-123 --watch --json > status.json
  conveyor comment --env pr-123 --preview preview.json --status status.json --post "$GITHUB_REPOSITORY#123"

  # compose where the pull request's code runs, post where it does not
  conveyor comment --env pr-123 --preview preview.json > comment.md
  conveyor comment --env pr-123 --body comment.md --post "$GITHUB_REPOSITORY#123"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if _, err := parseStack("", env); err != nil {
				return err
			}
			repo, number, err := parsePost(post)
			if err != nil {
				return err
			}
			if bodyFile != "" {
				return postBody(cmd, env, bodyFile, repo, number)
			}
			opts, err := d.options()
			if err != nil {
				return runnerExit(err)
			}
			p := commentParts(cmd.Context(), opts.WorkDir, env, src)
			if preview != "" {
				p.Summary = &opsummary.Summary{}
				if err := readJSON(preview, p.Summary); err != nil {
					return withCode(ExitSetup, err)
				}
			}
			if statusFile != "" {
				p.Status = &status.Report{}
				if err := readJSON(statusFile, p.Status); err != nil {
					return withCode(ExitSetup, err)
				}
			}
			return writeComment(cmd, p, asJSON, repo, number)
		},
	}
	requireEnv(cmd, &env)
	src.register(cmd)
	cmd.Flags().StringVar(&preview, "preview", "", "the preview's summary, as 'conveyor preview --json' writes it")
	cmd.Flags().StringVar(&statusFile, "status", "", "the environment's status, as 'conveyor status --json' writes it")
	cmd.Flags().StringVar(&post, "post", "", "also put the comment on this pull request: owner/name#number")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the comment's parts as JSON instead of its Markdown")
	cmd.Flags().StringVar(&bodyFile, "body", "", "print (and --post) this comment, composed before by 'conveyor comment', instead of composing one")
	return cmd
}

// parsePost reads --post: the pull request (owner/name#number) to post on, which needs
// $GITHUB_TOKEN; none without the flag.
func parsePost(post string) (repo string, number int, err error) {
	if post == "" {
		return "", 0, nil
	}
	m := prTarget.FindStringSubmatch(post)
	if m == nil {
		return "", 0, withCode(ExitUsage, fmt.Errorf("--post is owner/name#number, not %q", post))
	}
	if os.Getenv("GITHUB_TOKEN") == "" {
		return "", 0, withCode(ExitSetup, errors.New("--post needs $GITHUB_TOKEN: in a workflow, env: GITHUB_TOKEN: ${{ github.token }} with pull-requests: write"))
	}
	return m[1], atoi(m[2]), nil
}

// postBody prints the comment --body names, composed before, or posts it on repo's pull
// request number; the flags that compose a comment are refused beside it.
func postBody(cmd *cobra.Command, env, bodyFile, repo string, number int) error {
	for _, composed := range []string{"preview", "status", "policy-report", "changed-since", "json"} {
		if cmd.Flags().Changed(composed) {
			return withCode(ExitUsage, fmt.Errorf("--body posts a comment as it is; --%s composes one: give one or the other", composed))
		}
	}
	body, err := readBody(bodyFile, env)
	if err != nil {
		return withCode(ExitSetup, err)
	}
	if repo == "" {
		_, err := io.WriteString(cmd.OutOrStdout(), body)
		return err
	}
	return postComment(cmd, env, body, repo, number)
}

// readBody reads a comment composed before for env; it must start with env's marker, so a
// file of another environment, or none of Conveyor's, is never posted as env's comment.
func readBody(path, env string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	body := string(data)
	first, _, _ := strings.Cut(body, "\n")
	if strings.TrimSpace(first) != comment.Marker(env) {
		return "", fmt.Errorf("%s: line 1: is not the marker of %s (%s): not a comment 'conveyor comment --env %s' wrote", path, env, comment.Marker(env), env)
	}
	if len(body) > comment.MaxLength {
		return "", fmt.Errorf("%s: %d characters, more than a comment holds (%d)", path, len(body), comment.MaxLength)
	}
	return body, nil
}

// writeComment prints the comment (or its parts), and posts it when repo is set.
func writeComment(cmd *cobra.Command, p comment.Parts, asJSON bool, repo string, number int) error {
	out := cmd.OutOrStdout()
	var body strings.Builder
	if err := comment.Write(&body, p); err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(p); err != nil {
			return err
		}
	} else if _, err := io.WriteString(out, body.String()); err != nil {
		return err
	}
	if repo == "" {
		return nil
	}
	return postComment(cmd, p.Environment, body.String(), repo, number)
}

// postComment puts env's comment on pull request number of repo, editing the one the
// workflow's bot posted before.
func postComment(cmd *cobra.Command, env, body, repo string, number int) error {
	gh := comment.GitHub{API: os.Getenv("GITHUB_API_URL"), Token: os.Getenv("GITHUB_TOKEN")}
	url, created, err := gh.Upsert(cmd.Context(), repo, number, comment.Marker(env), body)
	if err != nil {
		return withCode(ExitFailed, err)
	}
	verb := "updated"
	if created {
		verb = "posted"
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "conveyor: %s the comment of %s: %s\n", verb, env, url)
	return nil
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s) // the pattern admits digits only
	return n
}

// previewComment prints a preview's summary as the environment's whole comment, and ends
// the command as printSummary would.
func previewComment(cmd *cobra.Command, d *deps, env string, src commentSources, s *opsummary.Summary, opErr error) error {
	opts, err := d.options()
	if err != nil {
		return runnerExit(err)
	}
	p := commentParts(cmd.Context(), opts.WorkDir, env, src)
	p.Summary = s
	if err := writeComment(cmd, p, false, "", 0); err != nil {
		return err
	}
	if opErr != nil {
		fmt.Fprintln(cmd.ErrOrStderr(), "conveyor:", s.Error)
		return withCode(ExitFailed, errSilent)
	}
	return nil
}
