package plugintest

import (
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
)

// Build compiles the main package pkg (an import path inside the current
// module) into dir and returns the binary's path. The binary is named after
// the package's last element unless name is given.
func Build(dir, pkg string, name ...string) (string, error) {
	bin := path.Base(pkg)
	if len(name) > 0 {
		bin = name[0]
	}
	out := filepath.Join(dir, bin)
	cmd := exec.Command(goTool(), "build", "-o", out, pkg)
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build %s: %w\n%s", pkg, err, b)
	}
	return out, nil
}

// BuildAll builds the main packages of pkgs (name → import path) into a
// new temporary directory, each named prefix+name, so that a TestMain
// builds its binaries once for all its tests. It returns their paths by
// name and a function that removes the directory; on error it leaves
// nothing behind.
func BuildAll(prefix string, pkgs map[string]string) (bins map[string]string, cleanup func(), err error) {
	dir, err := os.MkdirTemp("", "bellhop-plugintest")
	if err != nil {
		return nil, nil, fmt.Errorf("make build directory: %w", err)
	}
	cleanup = func() { _ = os.RemoveAll(dir) }
	bins = make(map[string]string, len(pkgs))
	for name, pkg := range pkgs {
		if bins[name], err = Build(dir, pkg, prefix+name); err != nil {
			cleanup()
			return nil, nil, err
		}
	}
	return bins, cleanup, nil
}

// goTool is the go command of the toolchain running the tests.
func goTool() string {
	if p := filepath.Join(runtime.GOROOT(), "bin", "go"); fileExists(p) {
		return p
	}
	return "go"
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
