package ecr

import "strings"

// ImageDigest returns the digest of the image a repository holds under
// reference (a tag, or a digest sha256:...), or "" when the repository
// or the image does not exist. Lambda resolves a function's ImageUri
// with it.
func (s *Service) ImageDigest(repo, reference string) (string, error) {
	if strings.HasPrefix(reference, "sha256:") {
		im, err := s.loadImage(repo, reference)
		if err != nil || im == nil {
			return "", err
		}
		return im.Digest, nil
	}
	return s.tagged(repo, reference)
}
