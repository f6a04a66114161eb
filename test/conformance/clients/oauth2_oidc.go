// Keygate as Go programs meet it: go-oidc's discovery, golang.org/x/oauth2's client credentials
// grant and HTTP client, go-oidc's remote key set for the token's signature. Built by
// test/conformance/debian-clients.test.ts from Debian's golang packages, in GOPATH mode.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"

	oidc "github.com/coreos/go-oidc"
	"golang.org/x/oauth2/clientcredentials"
)

func main() {
	ctx := context.Background()
	provider, err := oidc.NewProvider(ctx, os.Getenv("ISSUER"))
	must(err)
	var discovered struct {
		JWKSURI string `json:"jwks_uri"`
	}
	must(provider.Claims(&discovered))

	config := clientcredentials.Config{
		ClientID:     os.Getenv("CLIENT_ID"),
		ClientSecret: os.Getenv("CLIENT_SECRET"),
		TokenURL:     provider.Endpoint().TokenURL,
		Scopes:       []string{"agents-availability:read"},
	}
	token, err := config.Token(ctx)
	must(err)
	payload, err := oidc.NewRemoteKeySet(ctx, discovered.JWKSURI).VerifySignature(ctx, token.AccessToken)
	must(err)
	var claims struct {
		ClientID string `json:"client_id"`
	}
	must(json.Unmarshal(payload, &claims))

	request, err := http.NewRequest("GET", os.Getenv("GATEWAY")+"/agents-availability", nil)
	must(err)
	request.Header.Set("Accept", "application/vnd.newvoicemedia.v1+json")
	answer, err := config.Client(ctx).Do(request)
	must(err)
	answer.Body.Close()

	seen, err := json.Marshal(map[string]interface{}{
		"token_url":      provider.Endpoint().TokenURL,
		"token_type":     token.Type(),
		"expires":        token.Expiry.IsZero() == false,
		"client_id":      claims.ClientID,
		"gateway_status": answer.StatusCode,
	})
	must(err)
	fmt.Println(string(seen))
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
