// Package plugintest builds connector plugin binaries for tests, so a test
// can run a connector as a real plugin process through plugins.Open.
//
// A test that needs one binary builds it into its own temporary directory:
//
//	bin, err := plugintest.Build(t.TempDir(), "github.com/you/connector/cmd/bellhop-connector-x")
//
// A package whose tests share several binaries builds them once in TestMain:
//
//	var bins map[string]string // name → binary path
//
//	func TestMain(m *testing.M) {
//		var cleanup func()
//		var err error
//		bins, cleanup, err = plugintest.BuildAll("bellhop-connector-", map[string]string{
//			"x": "github.com/you/connector/cmd/bellhop-connector-x",
//		})
//		if err != nil {
//			fmt.Fprintln(os.Stderr, err)
//			os.Exit(1)
//		}
//		code := m.Run()
//		cleanup()
//		os.Exit(code)
//	}
package plugintest
