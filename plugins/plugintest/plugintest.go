// Package plugintest builds connector plugin binaries for tests, so a test
// can run a connector as a real plugin process through plugins.Open:
//
//	func TestMain(m *testing.M) {
//		dir, _ := os.MkdirTemp("", "plugins")
//		bin, err := plugintest.Build(dir, "github.com/you/connector/cmd/bellhop-connector-x")
//		...
//		code := m.Run()
//		os.RemoveAll(dir)
//		os.Exit(code)
//	}
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
