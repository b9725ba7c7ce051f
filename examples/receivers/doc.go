// Package receivers holds webhook receivers a user copies, one per language,
// each verifying Bellhop's signatures: go/ with signature.Verify, node/ and
// python/ with the verification functions of the reference documentation,
// kept byte for byte as published there.
//
// The tests in this folder start each receiver as its own process and send it
// real signed deliveries through the hub's outbound client, so that a change
// to the signing scheme that would break a published verifier fails here
// first. They skip a language whose runtime (node, python3) is not installed.
package receivers
