#!/usr/bin/env bash
# Tidies every module of the repository. The nested modules require released
# versions of the core (and of otel); `go mod tidy` resolves requirements
# without the workspace, so for the run each nested module gets a temporary
# replace pointing at this checkout, removed afterwards. Usage:
#   bash internal/tools/tidy.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
tidy() { # dir, then "module=relative/path" pairs
  local dir=$1; shift
  (
    cd "$root/$dir"
    cp go.mod go.mod.orig
    if (
      for r in "$@"; do go mod edit -replace "$r"; done
      GOWORK=off go mod tidy
      for r in "$@"; do go mod edit -dropreplace "${r%%=*}"; done
    ); then
      rm go.mod.orig
    else
      mv go.mod.orig go.mod
      echo "tidy: $dir failed; go.mod restored" >&2
      exit 1
    fi
  )
}
(cd "$root" && GOWORK=off go mod tidy)
tidy redislimit "github.com/chatrecall/chatrecall@v0.1.0=../"
tidy cmd/chatrecall "github.com/chatrecall/chatrecall@v0.1.0=../../" "github.com/chatrecall/chatrecall/redislimit@v0.1.0=../../redislimit"
tidy otel "github.com/chatrecall/chatrecall@v0.1.0=../"
tidy otel/example "github.com/chatrecall/chatrecall@v0.1.0=../../" "github.com/chatrecall/chatrecall/otel@v0.1.0=../"
echo tidy: ok
