// Command oras-go-peer is the benchmark's Go peer: a small client on the oras-go v1 library
// (Debian's golang-oras-oras-go-dev, the library the oras CLI used from v0.12 on), which pushes
// and pulls files as the oras v0.9 CLI did. It talks plain HTTP only, to a loopback registry.
//
//	oras-go-peer resolve <host/repo:tag>           prints the manifest's digest
//	oras-go-peer push <host/repo:tag> <file>...    files of the current folder, titled by name
//	oras-go-peer pull <host/repo:tag> <folder>     each titled layer into <folder>/<title>
//	oras-go-peer cp <host/repo:tag> <host/repo:tag> the artifact from one registry to another
//
// A push hashes each file first (oras-go's file store), then copies the artifact with
// oras.Copy, whose pusher sends a HEAD per blob and skips what the registry has. Each blob is
// reported as "Exists" or "Uploaded", so the benchmark can tell a skipped blob from a sent one.
//
// Built by tooling/bench/run.mjs in GOPATH mode against /usr/share/gocode (no module download).
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/containerd/containerd/content"
	"github.com/containerd/containerd/errdefs"
	"github.com/containerd/containerd/remotes"
	digest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	orascontent "oras.land/oras-go/pkg/content"
	"oras.land/oras-go/pkg/oras"
)

const usage = `usage:
  oras-go-peer resolve <host/repo:tag>
  oras-go-peer push <host/repo:tag> <file>...
  oras-go-peer pull <host/repo:tag> <folder>
  oras-go-peer cp <host/repo:tag> <host/repo:tag>`

func main() {
	if len(os.Args) < 3 {
		fail(usage)
	}
	ctx := context.Background()
	command, ref, rest := os.Args[1], os.Args[2], os.Args[3:]
	registry, err := orascontent.NewRegistry(orascontent.RegistryOptions{PlainHTTP: true})
	if err != nil {
		fail(err.Error())
	}
	switch {
	case command == "resolve" && len(rest) == 0:
		err = resolve(ctx, registry, ref)
	case command == "push" && len(rest) > 0:
		err = push(ctx, registry, ref, rest)
	case command == "pull" && len(rest) == 1:
		err = pull(ctx, registry, ref, rest[0])
	case command == "cp" && len(rest) == 1:
		err = copyBetween(ctx, registry, ref, rest[0])
	default:
		fail(usage)
	}
	if err != nil {
		fail(err.Error())
	}
}

func fail(message string) {
	fmt.Fprintln(os.Stderr, "oras-go-peer:", message)
	os.Exit(1)
}

func resolve(ctx context.Context, registry *orascontent.Registry, ref string) error {
	_, desc, err := registry.Resolve(ctx, ref)
	if err != nil {
		return err
	}
	fmt.Println(desc.Digest)
	return nil
}

// push adds each file to a file store (which hashes it), generates a config and a manifest as
// oras v0.9 did, and copies the lot to the registry, reporting each blob.
func push(ctx context.Context, registry *orascontent.Registry, ref string, files []string) error {
	cwd, err := os.Getwd()
	if err != nil {
		return err
	}
	store := orascontent.NewFile(cwd)
	defer store.Close()
	layers := make([]ocispec.Descriptor, 0, len(files))
	for _, file := range files {
		desc, err := store.Add(filepath.Base(file), "", file)
		if err != nil {
			return err
		}
		layers = append(layers, desc)
	}
	manifest, manifestDesc, config, configDesc, err := orascontent.GenerateManifestAndConfig(nil, nil, layers...)
	if err != nil {
		return err
	}
	if err := store.Load(configDesc, config); err != nil {
		return err
	}
	if err := store.StoreManifest(ref, manifestDesc, manifest); err != nil {
		return err
	}
	desc, err := oras.Copy(ctx, store, ref, reporting{registry}, "")
	if err != nil {
		return err
	}
	fmt.Printf("Pushed %s\nDigest: %s\n", ref, desc.Digest)
	return nil
}

// pull copies the artifact into a file store rooted at folder: titled blobs become files,
// untitled ones (the config) are dropped.
func pull(ctx context.Context, registry *orascontent.Registry, ref, folder string) error {
	if err := os.MkdirAll(folder, 0o755); err != nil {
		return err
	}
	store := orascontent.NewFile(folder, orascontent.WithIgnoreNoName())
	defer store.Close()
	desc, err := oras.Copy(ctx, registry, ref, store, "")
	if err != nil {
		return err
	}
	fmt.Printf("Pulled %s\nDigest: %s\n", ref, desc.Digest)
	return nil
}

// copyBetween copies the artifact at from to the reference to (oras.Copy between two registries:
// each blob streamed from one to the other, reported as it ends, what the destination has skipped).
func copyBetween(ctx context.Context, registry *orascontent.Registry, from, to string) error {
	desc, err := oras.Copy(ctx, registry, from, reporting{registry}, to)
	if err != nil {
		return err
	}
	fmt.Printf("Copied %s => %s\nDigest: %s\n", from, to, desc.Digest)
	return nil
}

// reporting wraps a target so that each blob pushed to it is reported as it ends.
type reporting struct{ remotes.Resolver }

func (r reporting) Pusher(ctx context.Context, ref string) (remotes.Pusher, error) {
	pusher, err := r.Resolver.Pusher(ctx, ref)
	if err != nil {
		return nil, err
	}
	return reportingPusher{pusher}, nil
}

type reportingPusher struct{ remotes.Pusher }

var printing sync.Mutex

func report(status string, desc ocispec.Descriptor) {
	name := desc.Annotations[ocispec.AnnotationTitle]
	if name == "" {
		name = desc.MediaType
	}
	printing.Lock()
	defer printing.Unlock()
	fmt.Printf("%-9s %s %s\n", status, desc.Digest.Encoded()[:12], name)
}

func (p reportingPusher) Push(ctx context.Context, desc ocispec.Descriptor) (content.Writer, error) {
	writer, err := p.Pusher.Push(ctx, desc)
	if errdefs.IsAlreadyExists(err) {
		report("Exists", desc)
	}
	if err != nil {
		return nil, err
	}
	return reportingWriter{writer, desc}, nil
}

type reportingWriter struct {
	content.Writer
	desc ocispec.Descriptor
}

func (w reportingWriter) Commit(ctx context.Context, size int64, expected digest.Digest, opts ...content.Opt) error {
	if err := w.Writer.Commit(ctx, size, expected, opts...); err != nil {
		return err
	}
	report("Uploaded", w.desc)
	return nil
}
