// go-oidc as its README shows it: the provider discovered from its issuer URL, and the provider's
// verifier with nothing but the audience configured, so it takes RS256 only (its default). Built by
// test/conformance/debian-clients.test.ts from Debian's golang packages, in GOPATH mode.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	oidc "github.com/coreos/go-oidc"
	"golang.org/x/oauth2/clientcredentials"
)

func main() {
	ctx := context.Background()
	seen := map[string]interface{}{}
	provider, err := oidc.NewProvider(ctx, os.Getenv("ISSUER"))
	if err != nil {
		seen["discovery_error"] = err.Error()
		print(seen)
		return
	}
	seen["token_url"] = provider.Endpoint().TokenURL

	config := clientcredentials.Config{
		ClientID:     os.Getenv("CLIENT_ID"),
		ClientSecret: os.Getenv("CLIENT_SECRET"),
		TokenURL:     provider.Endpoint().TokenURL,
		Scopes:       []string{"agents-availability:read"},
	}
	token, err := config.Token(ctx)
	must(err)
	verified, err := provider.Verifier(&oidc.Config{ClientID: os.Getenv("AUDIENCE")}).Verify(ctx, token.AccessToken)
	if err != nil {
		seen["verify_error"] = err.Error()
	} else {
		var claims struct {
			ClientID string `json:"client_id"`
		}
		must(verified.Claims(&claims))
		seen["issuer"] = verified.Issuer
		seen["client_id"] = claims.ClientID
	}
	print(seen)
}

func print(seen map[string]interface{}) {
	text, err := json.Marshal(seen)
	must(err)
	fmt.Println(string(text))
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
