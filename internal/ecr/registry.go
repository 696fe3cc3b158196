package ecr

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/virga/virga/internal/awsproto/apierr"
)

// registry serves the OCI Distribution API (Docker Registry HTTP API
// v2) over the service's repositories.
type registry struct{ s *Service }

// regError is an error of the distribution spec: a code from its table,
// the HTTP status it goes with, and a message.
type regError struct {
	status  int
	code    string
	message string
}

func (e *regError) Error() string { return e.code + ": " + e.message }

func regErr(status int, code, format string, args ...any) *regError {
	return &regError{status, code, fmt.Sprintf(format, args...)}
}

// writeRegError answers with the spec's error body,
// {"errors":[{"code":...,"message":...}]}.
func writeRegError(w http.ResponseWriter, r *http.Request, e *regError) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(e.status)
	if r.Method == http.MethodHead {
		return
	}
	json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]string{{"code": e.code, "message": e.message}}})
}

// registryError translates ECR's API errors into the registry's codes.
func (s *Service) registryError(err error) *regError {
	var re *regError
	if errors.As(err, &re) {
		return re
	}
	if errors.Is(err, errLayerTooLarge) {
		return regErr(http.StatusRequestEntityTooLarge, "SIZE_INVALID", "the layer is over the maximum layer size, %d MiB", maxLayerSize>>20)
	}
	e := apierr.As(err)
	if e == nil {
		return regErr(http.StatusInternalServerError, "UNKNOWN", "internal error")
	}
	switch e.Code {
	case ErrRepositoryNotFound.Code:
		return regErr(http.StatusNotFound, "NAME_UNKNOWN", "%s", e.Message)
	case ErrLayersNotFound.Code, ErrReferencedImagesNotFound.Code:
		return regErr(http.StatusBadRequest, "MANIFEST_BLOB_UNKNOWN", "%s", e.Message)
	case ErrImageTagAlreadyExists.Code:
		return regErr(http.StatusBadRequest, "TAG_INVALID", "%s", e.Message)
	case ErrImageDigestDoesNotMatch.Code:
		return regErr(http.StatusBadRequest, "DIGEST_INVALID", "%s", e.Message)
	case ErrInvalidParameter.Code:
		return regErr(http.StatusBadRequest, "MANIFEST_INVALID", "%s", e.Message)
	case ErrLimitExceeded.Code:
		return regErr(http.StatusForbidden, "DENIED", "%s", e.Message)
	}
	return regErr(http.StatusBadRequest, "UNKNOWN", "%s", e.Message)
}

func (g *registry) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s := g.s
	w.Header().Set("Docker-Distribution-API-Version", "registry/2.0")
	auth, aerr := s.authenticate(r)
	if aerr != nil {
		w.Header().Set("WWW-Authenticate", `Basic realm="http://`+s.registryAddr(r.Host)+`/",service="ecr.amazonaws.com"`)
		writeRegError(w, r, aerr)
		return
	}
	p, ok := parseRegistryPath(r.URL.Path)
	if !ok {
		writeRegError(w, r, regErr(http.StatusNotFound, "NAME_UNKNOWN", "no registry route for %s", r.URL.Path))
		return
	}
	if p.Kind == "" {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			writeRegError(w, r, regErr(http.StatusMethodNotAllowed, "UNSUPPORTED", "The operation is unsupported."))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", "2")
		io.WriteString(w, "{}")
		return
	}
	if p.Kind == "catalog" {
		if r.Method != http.MethodGet {
			writeRegError(w, r, regErr(http.StatusMethodNotAllowed, "UNSUPPORTED", "The operation is unsupported."))
			return
		}
		if err := g.catalog(w, r, auth); err != nil {
			writeRegError(w, r, s.registryError(err))
		}
		return
	}
	// As ECR, the request is authorized before the repository is
	// looked up.
	if action := registryAction(p.Kind, r.Method); action != "" {
		if err := s.authorizeRegistry(r, auth, action, p.Name); err != nil {
			writeRegError(w, r, s.registryError(err))
			return
		}
	}
	if _, err := s.mustRepo(p.Name); err != nil {
		writeRegError(w, r, s.registryError(err))
		return
	}
	var err error
	switch p.Kind + " " + r.Method {
	case "manifests GET", "manifests HEAD":
		err = g.getManifest(w, r, p)
	case "manifests PUT":
		err = g.putManifest(w, r, p)
	case "manifests DELETE":
		err = g.deleteManifest(w, p)
	case "blobs GET", "blobs HEAD":
		err = g.getBlob(w, r, p)
	case "uploads POST":
		if p.Ref != "" {
			err = regErr(http.StatusMethodNotAllowed, "UNSUPPORTED", "The operation is unsupported.")
			break
		}
		err = g.startUpload(w, r, p, auth)
	case "uploads PATCH":
		err = g.patchUpload(w, r, p)
	case "uploads PUT":
		err = g.putUpload(w, r, p)
	case "uploads GET":
		err = g.uploadStatus(w, p)
	case "uploads DELETE":
		err = g.cancelUpload(w, p)
	case "tags GET":
		err = g.listTags(w, r, p)
	default:
		err = regErr(http.StatusMethodNotAllowed, "UNSUPPORTED", "The operation is unsupported.")
	}
	if err != nil {
		writeRegError(w, r, s.registryError(err))
	}
}

// registryAction is the IAM action ECR authorizes a registry request
// with, on its repository: reading a manifest is ecr:BatchGetImage, a
// layer ecr:GetDownloadUrlForLayer, pushing ecr:InitiateLayerUpload,
// ecr:UploadLayerPart, ecr:CompleteLayerUpload and ecr:PutImage, and
// checking for a layer (HEAD) ecr:BatchCheckLayerAvailability, the
// actions the user guide's push and pull policies grant; the other
// routes take the API operation that does the same (ListImages,
// BatchDeleteImage). "" for routes with no repository.
func registryAction(kind, method string) string {
	switch kind + " " + method {
	case "manifests GET", "manifests HEAD":
		return "ecr:BatchGetImage"
	case "manifests PUT":
		return "ecr:PutImage"
	case "manifests DELETE":
		return "ecr:BatchDeleteImage"
	case "blobs GET":
		return "ecr:GetDownloadUrlForLayer"
	case "blobs HEAD":
		return "ecr:BatchCheckLayerAvailability"
	case "uploads POST", "uploads DELETE":
		return "ecr:InitiateLayerUpload"
	case "uploads PATCH", "uploads GET":
		return "ecr:UploadLayerPart"
	case "uploads PUT":
		return "ecr:CompleteLayerUpload"
	case "tags GET":
		return "ecr:ListImages"
	}
	return ""
}

// lookup resolves a manifest reference, a tag or a digest.
func (g *registry) lookup(repo, ref string) (*image, error) {
	digest := ref
	if !strings.Contains(ref, ":") {
		if !validTag(ref) {
			return nil, regErr(http.StatusBadRequest, "TAG_INVALID", "manifest tag did not match URI")
		}
		d, err := g.s.tagged(repo, ref)
		if err != nil {
			return nil, err
		}
		digest = d
	} else if !validDigest(ref) {
		return nil, regErr(http.StatusBadRequest, "DIGEST_INVALID", "provided digest did not match uploaded content")
	}
	var im *image
	if digest != "" {
		var err error
		if im, err = g.s.loadImage(repo, digest); err != nil {
			return nil, err
		}
	}
	if im == nil {
		return nil, regErr(http.StatusNotFound, "MANIFEST_UNKNOWN", "Requested image not found")
	}
	return im, nil
}

func (g *registry) getManifest(w http.ResponseWriter, r *http.Request, p registryPath) error {
	im, err := g.lookup(p.Name, p.Ref)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", im.MediaType)
	h.Set("Docker-Content-Digest", im.Digest)
	h.Set("Content-Length", strconv.Itoa(len(im.Manifest)))
	if r.Method == http.MethodGet {
		w.Write(im.Manifest)
	}
	return nil
}

func (g *registry) putManifest(w http.ResponseWriter, r *http.Request, p registryPath) error {
	raw, err := io.ReadAll(io.LimitReader(r.Body, maxManifestBytes+1))
	if err != nil {
		return err
	}
	if len(raw) > maxManifestBytes {
		return regErr(http.StatusRequestEntityTooLarge, "SIZE_INVALID", "manifest over %d bytes", maxManifestBytes)
	}
	tagName, digest := p.Ref, ""
	if strings.Contains(p.Ref, ":") {
		tagName, digest = "", p.Ref
		if !validDigest(digest) {
			return regErr(http.StatusBadRequest, "DIGEST_INVALID", "provided digest did not match uploaded content")
		}
	} else if !validTag(tagName) {
		return regErr(http.StatusBadRequest, "TAG_INVALID", "manifest tag did not match URI")
	}
	if _, perr := parseManifest(raw, r.Header.Get("Content-Type")); perr != nil {
		return regErr(http.StatusBadRequest, "MANIFEST_INVALID", "manifest invalid")
	}
	res, err := g.s.pushManifest(p.Name, raw, r.Header.Get("Content-Type"), tagName, digest)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Location", "/v2/"+p.Name+"/manifests/"+res.image.Digest)
	h.Set("Docker-Content-Digest", res.image.Digest)
	w.WriteHeader(http.StatusCreated)
	return nil
}

func (g *registry) deleteManifest(w http.ResponseWriter, p registryPath) error {
	if _, err := g.lookup(p.Name, p.Ref); err != nil {
		return err
	}
	id := ImageIdentifier{}
	if strings.Contains(p.Ref, ":") {
		id.ImageDigest = ptr(p.Ref)
	} else {
		id.ImageTag = ptr(p.Ref)
	}
	out, err := g.s.batchDeleteImage(context.Background(), &BatchDeleteImageRequest{RepositoryName: ptr(p.Name), ImageIds: []ImageIdentifier{id}})
	if err != nil {
		return err
	}
	if len(out.Failures) > 0 {
		return regErr(http.StatusConflict, "DENIED", "%s", deref(out.Failures[0].FailureReason))
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}

func blobUnknown() *regError {
	return regErr(http.StatusNotFound, "BLOB_UNKNOWN", "blob unknown to registry")
}

func (g *registry) getBlob(w http.ResponseWriter, r *http.Request, p registryPath) error {
	if !validDigest(p.Ref) {
		return regErr(http.StatusBadRequest, "DIGEST_INVALID", "provided digest did not match uploaded content")
	}
	meta, err := g.s.linked(p.Name, p.Ref)
	if err != nil {
		return err
	}
	if meta == nil {
		return blobUnknown()
	}
	h := w.Header()
	h.Set("Docker-Content-Digest", p.Ref)
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Accept-Ranges", "bytes")
	h.Set("Etag", `"`+p.Ref+`"`)
	from, to := int64(0), meta.Size
	status := http.StatusOK
	if rg := r.Header.Get("Range"); rg != "" && r.Method == http.MethodGet {
		f, t, ok := parseByteRange(rg, meta.Size)
		if !ok {
			h.Set("Content-Range", "bytes */"+strconv.FormatInt(meta.Size, 10))
			return regErr(http.StatusRequestedRangeNotSatisfiable, "RANGE_INVALID", "invalid content range")
		}
		from, to, status = f, t, http.StatusPartialContent
		h.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", from, to-1, meta.Size))
	}
	h.Set("Content-Length", strconv.FormatInt(to-from, 10))
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return nil
	}
	if err := g.s.writeBlob(w, meta, from, to); err != nil {
		// The status is out: all that is left is to cut the response.
		panic(http.ErrAbortHandler)
	}
	return nil
}

// parseByteRange reads one range of a Range header, bytes=A-B, bytes=A-
// or bytes=-N, into [from, to).
func parseByteRange(h string, size int64) (from, to int64, ok bool) {
	spec, ok := strings.CutPrefix(h, "bytes=")
	if !ok || strings.Contains(spec, ",") {
		return 0, 0, false
	}
	a, b, ok := strings.Cut(strings.TrimSpace(spec), "-")
	if !ok {
		return 0, 0, false
	}
	if a == "" {
		n, err := strconv.ParseInt(b, 10, 64)
		if err != nil || n <= 0 {
			return 0, 0, false
		}
		return max(size-n, 0), size, size > 0
	}
	f, err := strconv.ParseInt(a, 10, 64)
	if err != nil || f < 0 || f >= size {
		return 0, 0, false
	}
	t := size - 1
	if b != "" {
		if t, err = strconv.ParseInt(b, 10, 64); err != nil || t < f {
			return 0, 0, false
		}
		t = min(t, size-1)
	}
	return f, t + 1, true
}

func uploadLocation(name, id string) string { return "/v2/" + name + "/blobs/uploads/" + id }

func (g *registry) startUpload(w http.ResponseWriter, r *http.Request, p registryPath, auth regAuth) error {
	q := r.URL.Query()
	h := w.Header()
	if mount, from := q.Get("mount"), q.Get("from"); mount != "" && from != "" && validDigest(mount) {
		// Cross-repository mount: a blob of another repository of the
		// registry is linked here without its bytes being sent again,
		// when the caller may read the layer there; otherwise this is
		// an ordinary upload, as the distribution spec has a registry
		// answer a mount it does not make.
		readable, err := g.s.allowedRegistry(r, auth, "ecr:GetDownloadUrlForLayer", from)
		if err != nil {
			return err
		}
		var meta *blobMeta
		if readable {
			if meta, err = g.s.linked(from, mount); err != nil {
				return err
			}
		}
		if meta != nil {
			if err := g.s.link(p.Name, mount); err != nil {
				return err
			}
			h.Set("Location", "/v2/"+p.Name+"/blobs/"+mount)
			h.Set("Docker-Content-Digest", mount)
			w.WriteHeader(http.StatusCreated)
			return nil
		}
	}
	u, err := g.s.startUpload(p.Name)
	if err != nil {
		return err
	}
	if digest := q.Get("digest"); digest != "" {
		// A monolithic upload in the POST itself.
		return g.finish(w, r, p.Name, u, digest)
	}
	h.Set("Location", uploadLocation(p.Name, u.ID))
	h.Set("Docker-Upload-UUID", u.ID)
	h.Set("Range", "0-0")
	h.Set("Content-Length", "0")
	w.WriteHeader(http.StatusAccepted)
	return nil
}

// openUpload finds a registry upload by the id in the path, and locks it
// for the request (unlock is returned).
func (g *registry) openUpload(p registryPath) (*upload, func(), error) {
	unlock := g.s.uploads.lock(p.Ref)
	u, err := g.s.loadUpload(p.Ref)
	if err == nil && (u == nil || u.Repo != p.Name) {
		err = regErr(http.StatusNotFound, "BLOB_UPLOAD_UNKNOWN", "blob upload unknown to registry")
	}
	if err != nil {
		unlock()
		return nil, nil, err
	}
	return u, unlock, nil
}

func rangeHeader(size int64) string {
	if size == 0 {
		return "0-0"
	}
	return "0-" + strconv.FormatInt(size-1, 10)
}

func (g *registry) patchUpload(w http.ResponseWriter, r *http.Request, p registryPath) error {
	u, unlock, err := g.openUpload(p)
	if err != nil {
		return err
	}
	defer unlock()
	if cr := r.Header.Get("Content-Range"); cr != "" {
		a, _, _ := strings.Cut(strings.TrimPrefix(cr, "bytes "), "-")
		if start, err := strconv.ParseInt(a, 10, 64); err != nil || start != u.Size {
			w.Header().Set("Location", uploadLocation(p.Name, u.ID))
			w.Header().Set("Range", rangeHeader(u.Size))
			return regErr(http.StatusRequestedRangeNotSatisfiable, "BLOB_UPLOAD_INVALID", "the chunk does not start where the upload ends (%d)", u.Size)
		}
	}
	if _, err := g.s.appendUpload(u, r.Body); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Location", uploadLocation(p.Name, u.ID))
	h.Set("Docker-Upload-UUID", u.ID)
	h.Set("Range", rangeHeader(u.Size))
	h.Set("Content-Length", "0")
	w.WriteHeader(http.StatusAccepted)
	return nil
}

func (g *registry) putUpload(w http.ResponseWriter, r *http.Request, p registryPath) error {
	u, unlock, err := g.openUpload(p)
	if err != nil {
		return err
	}
	defer unlock()
	return g.finish(w, r, p.Name, u, r.URL.Query().Get("digest"))
}

// finish appends the request's body to an upload and makes it the blob
// digest names.
func (g *registry) finish(w http.ResponseWriter, r *http.Request, name string, u *upload, digest string) error {
	if !validDigest(digest) {
		return regErr(http.StatusBadRequest, "DIGEST_INVALID", "provided digest did not match uploaded content")
	}
	if r.Body != nil {
		if _, err := g.s.appendUpload(u, r.Body); err != nil {
			return err
		}
	}
	if err := g.s.finishUpload(u, digest); err != nil {
		if errors.Is(err, errDigestMismatch) {
			g.s.cancelUpload(u)
			return regErr(http.StatusBadRequest, "DIGEST_INVALID", "provided digest did not match uploaded content")
		}
		return err
	}
	h := w.Header()
	h.Set("Location", "/v2/"+name+"/blobs/"+digest)
	h.Set("Docker-Content-Digest", digest)
	h.Set("Content-Length", "0")
	w.WriteHeader(http.StatusCreated)
	return nil
}

func (g *registry) uploadStatus(w http.ResponseWriter, p registryPath) error {
	u, unlock, err := g.openUpload(p)
	if err != nil {
		return err
	}
	defer unlock()
	h := w.Header()
	h.Set("Location", uploadLocation(p.Name, u.ID))
	h.Set("Docker-Upload-UUID", u.ID)
	h.Set("Range", rangeHeader(u.Size))
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (g *registry) cancelUpload(w http.ResponseWriter, p registryPath) error {
	u, unlock, err := g.openUpload(p)
	if err != nil {
		return err
	}
	defer unlock()
	if err := g.s.cancelUpload(u); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (g *registry) listTags(w http.ResponseWriter, r *http.Request, p registryPath) error {
	tags, err := g.s.tags(p.Name)
	if err != nil {
		return err
	}
	tags, err = paginate(w, r, "/v2/"+p.Name+"/tags/list", tags)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	return json.NewEncoder(w).Encode(map[string]any{"name": p.Name, "tags": tags})
}

// catalog lists the registry's repositories, as /v2/_catalog does.
func (g *registry) catalog(w http.ResponseWriter, r *http.Request, auth regAuth) error {
	repos, err := g.s.repos()
	if err != nil {
		return err
	}
	names := make([]string, 0, len(repos))
	for _, rp := range repos {
		// Only the repositories the caller may describe.
		ok, err := g.s.allowedRegistry(r, auth, "ecr:DescribeRepositories", rp.Name)
		if err != nil {
			return err
		}
		if ok {
			names = append(names, rp.Name)
		}
	}
	names, err = paginate(w, r, "/v2/_catalog", names)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	return json.NewEncoder(w).Encode(map[string]any{"repositories": names})
}

// paginate applies the distribution spec's n and last to a sorted list,
// and sets the Link header to the next page when there is one.
func paginate(w http.ResponseWriter, r *http.Request, path string, tags []string) ([]string, error) {
	q := r.URL.Query()
	if last := q.Get("last"); last != "" {
		i, _ := slices.BinarySearch(tags, last)
		for i < len(tags) && tags[i] <= last {
			i++
		}
		tags = tags[i:]
	}
	if ns := q.Get("n"); ns != "" {
		n, err := strconv.Atoi(ns)
		if err != nil || n < 0 {
			return nil, regErr(http.StatusBadRequest, "PAGINATION_NUMBER_INVALID", "invalid number of results requested")
		}
		if n < len(tags) {
			tags = tags[:n]
			if n > 0 {
				next := url.Values{"n": {ns}, "last": {tags[n-1]}}
				w.Header().Set("Link", fmt.Sprintf(`<%s?%s>; rel="next"`, path, next.Encode()))
			}
		}
	}
	if tags == nil {
		tags = []string{}
	}
	return tags, nil
}
