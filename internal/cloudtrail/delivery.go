package cloudtrail

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"strings"
	"time"
)

// LogFiles stores a trail's log files in its bucket.
type LogFiles interface {
	PutObjectBytes(ctx context.Context, bucket, key string, body []byte, contentType string) error
}

// deliverEvery is how long a trail's records wait before they are
// delivered as a log file: CloudTrail "typically delivers logs within an
// average of about 5 minutes of an API call".
const deliverEvery = 5 * time.Minute

// maxRecordsPerFile bounds a log file; a trail with more records waiting
// delivers them at once.
const maxRecordsPerFile = 1000

// pendingFile is what a trail has taken and not yet delivered.
type pendingFile struct {
	since   time.Time
	records []json.RawMessage
}

// deliveryStatus is what GetTrailStatus reports of a trail's log file
// deliveries: the latest attempt, the latest success, and the latest
// attempt's error.
type deliveryStatus struct {
	Attempt time.Time `json:",omitzero"`
	OK      time.Time `json:",omitzero"`
	Error   string    `json:",omitempty"`
}

// queueForDelivery keeps a record the trail takes for its next log
// file. writeMu must be held.
func (s *Service) queueForDelivery(trail string, raw []byte) {
	if s.logFiles == nil {
		return
	}
	p := s.pending[trail]
	if p == nil {
		p = &pendingFile{since: s.clock.Now()}
		s.pending[trail] = p
	}
	p.records = append(p.records, raw)
}

// deliverLocked writes the log files of the trails whose records have
// waited deliverEvery (every trail's, when all is set). writeMu must be
// held.
func (s *Service) deliverLocked(all bool) {
	now := s.clock.Now()
	for name, p := range s.pending {
		if !all && now.Sub(p.since) < deliverEvery && len(p.records) < maxRecordsPerFile {
			continue
		}
		delete(s.pending, name)
		s.mu.Lock()
		t := s.trails[name]
		var bucket, prefix string
		if t != nil {
			bucket, prefix = t.S3BucketName, t.S3KeyPrefix
		}
		s.mu.Unlock()
		if t == nil {
			continue
		}
		err := s.writeLogFile(bucket, prefix, now, p.records)
		if err != nil {
			s.log.Warn("cloudtrail: delivering a log file", "trail", name, "bucket", bucket, "err", err)
		}
		s.recordDelivery(name, now, err)
	}
}

// recordDelivery keeps the outcome of a delivery on the trail, for
// GetTrailStatus.
func (s *Service) recordDelivery(name string, at time.Time, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.trails[name]
	if cur == nil {
		return
	}
	t := *cur
	t.Delivery.Attempt = at
	t.Delivery.Error = ""
	if err != nil {
		t.Delivery.Error = err.Error()
	} else {
		t.Delivery.OK = at
	}
	if s.save(&t) == nil {
		s.trails[name] = &t
		s.publish()
	}
}

// writeLogFile writes records as one gzipped {"Records":[...]} file
// under PREFIX/AWSLogs/ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/, named
// ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHmmZ_UNIQUE.json.gz as CloudTrail
// names its files.
func (s *Service) writeLogFile(bucket, prefix string, now time.Time, records []json.RawMessage) error {
	var body bytes.Buffer
	zw := gzip.NewWriter(&body)
	doc, err := json.Marshal(struct {
		Records []json.RawMessage `json:"Records"`
	}{records})
	if err != nil {
		return err
	}
	if _, err := zw.Write(doc); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	utc := now.UTC()
	key := "AWSLogs/" + s.account + "/CloudTrail/" + s.region + "/" + utc.Format("2006/01/02") + "/" +
		s.account + "_CloudTrail_" + s.region + "_" + utc.Format("20060102T1504Z") + "_" + s.ids.Hex(8) + ".json.gz"
	if prefix != "" {
		key = strings.TrimSuffix(prefix, "/") + "/" + key
	}
	return s.logFiles.PutObjectBytes(context.Background(), bucket, key, body.Bytes(), "application/json")
}
