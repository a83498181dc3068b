package console_test

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"
)

// chromiumStarts bounds how often launchChromium tries to start the
// browser. On a loaded machine Chromium now and then dies while starting
// (crashpad: "no stack mapping", no DevTools endpoint); that says nothing
// about the console, so a start is retried with a fresh profile. Any
// failure after the start fails the test.
const chromiumStarts = 3

// launchChromium starts a headless Chromium with a fresh profile and
// returns its tab's context, with no deadline (callers add theirs).
func launchChromium(t *testing.T) context.Context {
	t.Helper()
	exe := chromiumPath(t)
	var err error
	for range chromiumStarts {
		opts := []chromedp.ExecAllocatorOption{
			chromedp.ExecPath(exe),
			chromedp.Headless,
			chromedp.NoSandbox,
			chromedp.DisableGPU,
			chromedp.NoFirstRun,
			chromedp.NoDefaultBrowserCheck,
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
			chromedp.Flag("disable-dev-shm-usage", true),
			chromedp.UserDataDir(t.TempDir()),
			chromedp.WindowSize(1280, 900),
		}
		actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		bctx, cancelTab := chromedp.NewContext(actx)
		if err = chromedp.Do(bctx); err == nil { // starts the browser without a deadline
			t.Cleanup(cancelAlloc)
			t.Cleanup(cancelTab)
			return bctx
		}
		cancelTab()
		cancelAlloc()
		t.Logf("chromium did not start, retrying: %v", err)
	}
	t.Fatalf("start chromium (%d tries): %v", chromiumStarts, err)
	return nil
}
