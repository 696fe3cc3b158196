package ses

import "context"

// unlimitedQuota is the quota virga reports: it limits neither how many
// messages are sent in a day nor how fast. "A value of -1 signifies an
// unlimited quota."
const unlimitedQuota = -1

func (s *Service) getSendQuota(_ context.Context, _ *noInput) (*GetSendQuotaResponse, error) {
	sent, err := s.SentLast24Hours()
	if err != nil {
		return nil, err
	}
	return &GetSendQuotaResponse{Max24HourSend: ptr(float64(unlimitedQuota)), MaxSendRate: ptr(float64(unlimitedQuota)),
		SentLast24Hours: ptr(float64(sent))}, nil
}

// getSendStatistics reports each 15-minute interval of the past two weeks
// that saw sending. Every accepted recipient counts as a delivery
// attempt; virga delivers nothing, so nothing bounces, is complained of
// or is rejected afterwards.
func (s *Service) getSendStatistics(_ context.Context, _ *noInput) (*GetSendStatisticsResponse, error) {
	stats, err := s.SendStatistics()
	if err != nil {
		return nil, err
	}
	out := &GetSendStatisticsResponse{SendDataPoints: []SendDataPoint{}}
	for _, st := range stats {
		out.SendDataPoints = append(out.SendDataPoints, SendDataPoint{Timestamp: ptr(st.Start),
			DeliveryAttempts: ptr(st.DeliveryAttempts), Bounces: ptr(int64(0)), Complaints: ptr(int64(0)), Rejects: ptr(int64(0))})
	}
	return out, nil
}

// getAccountSendingEnabled: sending is always enabled.
func (s *Service) getAccountSendingEnabled(_ context.Context, _ *noInput) (*GetAccountSendingEnabledResponse, error) {
	return &GetAccountSendingEnabledResponse{Enabled: ptr(true)}, nil
}
