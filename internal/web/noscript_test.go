package web_test

import (
	"context"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/dom"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// Steps for a browser with page script switched off. chromedp's own
// visibility checks run script and cannot answer then; these use only
// the DevTools DOM and input events, as a phone without JavaScript would
// be driven by its user.

// disableScript switches page script off in the tab.
func disableScript(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
	_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
	return chromedp.Void{}, err
}

// onNode runs f on the first node the selector finds, waiting only for
// it to exist.
func onNode(sel string, f func(ctx context.Context, tg *chromedp.Target, n *chromedp.Node) error) chromedp.Action[chromedp.Void] {
	return chromedp.QueryAfter(chromedp.CSS(sel), func(ctx context.Context, tg *chromedp.Target, nodes []*chromedp.Node) (chromedp.Void, error) {
		return chromedp.Void{}, f(ctx, tg, nodes[0])
	}, chromedp.NodeReady)
}

// clickNoScript clicks the node with a real mouse event.
func clickNoScript(sel string) chromedp.Action[chromedp.Void] {
	return onNode(sel, func(ctx context.Context, tg *chromedp.Target, n *chromedp.Node) error {
		_, err := chromedp.MouseClickNode(n)(ctx, tg)
		return err
	})
}

// typeNoScript focuses the node and types with key events.
func typeNoScript(sel, text string) chromedp.Action[chromedp.Void] {
	return onNode(sel, func(ctx context.Context, tg *chromedp.Target, n *chromedp.Node) error {
		_, err := chromedp.KeyEventNode(n, text)(ctx, tg)
		return err
	})
}

// chooseNoScript selects an option of a select by setting its selected
// attribute through the DevTools DOM.
func chooseNoScript(name, value string) chromedp.Action[chromedp.Void] {
	return chromedp.SetAttributeValue(chromedp.CSS(`select[name=`+name+`] option[value=`+value+`]`), "selected", "selected", chromedp.NodeReady)
}

// pageHTML reads the whole page through the DevTools DOM.
func pageHTML(t *testing.T, ctx context.Context) string {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.QueryAfter(chromedp.CSS(`html`), func(ctx context.Context, tg *chromedp.Target, nodes []*chromedp.Node) (string, error) {
		r, err := cdp.Call(ctx, tg, dom.GetOuterHTML, dom.GetOuterHTMLParams{NodeID: nodes[0].NodeID})
		return r.OuterHTML, err
	}, chromedp.NodeReady))
	if err != nil {
		t.Fatalf("reading the page: %v", err)
	}
	return v
}
