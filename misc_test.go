package chatrecall

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestConfigFromEnv(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

	_, found, err := ConfigFromEnv(env(nil))
	assert.False(t, found)
	assert.NoError(t, err)

	cfg, found, err := ConfigFromEnv(env(map[string]string{
		EnvSDKAppID: "1400000000", EnvSecretKey: "s3cret", EnvRegion: "ap-singapore", EnvIdentifier: "ops",
		EnvTPNSAccessID: "1500001048", EnvTPNSSecretKey: "tpns-s3cret", EnvTPNSRegion: "hk",
	}))
	require.NoError(t, err)
	assert.True(t, found)
	assert.Equal(t, uint64(1400000000), cfg.SDKAppID)
	assert.Equal(t, RegionSingapore, cfg.Region)
	assert.Equal(t, "ops", cfg.Identifier)
	assert.Equal(t, "s3cret", cfg.SecretKey)
	assert.Equal(t, TPNSHongKong, cfg.TPNS.Region)

	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{EnvSDKAppID: "1"}, "set CHATRECALL_SECRET_KEY and CHATRECALL_REGION"},
		{map[string]string{EnvSDKAppID: "x", EnvSecretKey: "s3cret", EnvRegion: "china"}, `CHATRECALL_SDKAPPID must be a number, got "x"`},
		{map[string]string{EnvSDKAppID: "1", EnvSecretKey: "s3cret", EnvRegion: "mars"}, "CHATRECALL_REGION"},
		{map[string]string{EnvTPNSAccessID: "1"}, "set CHATRECALL_TPNS_SECRET_KEY and CHATRECALL_TPNS_REGION"},
	} {
		_, found, err := ConfigFromEnv(env(tc.env))
		assert.True(t, found)
		require.Error(t, err)
		assert.Contains(t, err.Error(), tc.want)
		assert.NotContains(t, err.Error(), "s3cret")
	}
}

func TestCategory(t *testing.T) {
	assert.Nil(t, Category(nil))
	assert.Nil(t, Category(context.Canceled))
	assert.Equal(t, ErrGone, Category(&APIError{Endpoint: EndpointGroupRecall, Code: 10030}))
	assert.Equal(t, ErrUserSigExpired, Category(&APIError{Endpoint: EndpointGroupRecall, Code: 70001}))
	assert.Equal(t, ErrOutcomeUnknown, Category(&unknownError{last: &HTTPError{StatusCode: 502}}))
	assert.Equal(t, ErrInvalidRequest, Category(&ValidationError{}))
	assert.Equal(t, ErrOfflinePushInfoRequired, Category(&APIError{Endpoint: EndpointPushRevoke, Code: 90053}))
}

// TestEveryExportedNameHasDoc walks the module's non-test Go files.
func TestEveryExportedNameHasDoc(t *testing.T) {
	var missing []string
	err := filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ParseComments)
		if err != nil {
			return err
		}
		if f.Name.Name == "main" {
			return nil
		}
		for _, decl := range f.Decls {
			switch d := decl.(type) {
			case *ast.FuncDecl:
				if d.Name.IsExported() && d.Doc == nil && (d.Recv == nil || exportedRecv(d.Recv)) {
					missing = append(missing, path+": func "+d.Name.Name)
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						if s.Name.IsExported() && d.Doc == nil && s.Doc == nil {
							missing = append(missing, path+": type "+s.Name.Name)
						}
					case *ast.ValueSpec:
						for _, n := range s.Names {
							if n.IsExported() && d.Doc == nil && s.Doc == nil && s.Comment == nil {
								missing = append(missing, path+": "+n.Name)
							}
						}
					}
				}
			}
		}
		return nil
	})
	require.NoError(t, err)
	assert.Empty(t, missing)
}

func exportedRecv(fl *ast.FieldList) bool {
	typ := fl.List[0].Type
	if star, ok := typ.(*ast.StarExpr); ok {
		typ = star.X
	}
	if idx, ok := typ.(*ast.IndexExpr); ok {
		typ = idx.X
	}
	id, ok := typ.(*ast.Ident)
	return ok && id.IsExported()
}
