package firehose

import (
	"strings"
)

// Defaults of an S3 destination, as Firehose documents them: buffering
// hints of 5 MiB and 300 seconds, no compression.
const (
	defaultSizeInMBs         = 5
	defaultIntervalInSeconds = 300
	defaultCompression       = "UNCOMPRESSED"
)

// s3Settings are the S3 destination settings a CreateDeliveryStream or
// UpdateDestination gives, whichever of its shapes gave them; nil is
// not given.
type s3Settings struct {
	RoleARN, BucketARN, Prefix, ErrorOutputPrefix *string
	Hints                                         *BufferingHints
	Compression                                   *CompressionFormat
	Encryption                                    *EncryptionConfiguration
	Logging                                       *CloudWatchLoggingOptions
	Processing                                    *ProcessingConfiguration
	BackupMode                                    *S3BackupMode
	// unsupported names a setting given that virga cannot honour.
	unsupported string
}

func fromS3Configuration(c *S3DestinationConfiguration) s3Settings {
	return s3Settings{RoleARN: c.RoleARN, BucketARN: c.BucketARN, Prefix: c.Prefix, ErrorOutputPrefix: c.ErrorOutputPrefix,
		Hints: c.BufferingHints, Compression: c.CompressionFormat, Encryption: c.EncryptionConfiguration, Logging: c.CloudWatchLoggingOptions}
}

// fromS3Update reads an update, whose members are a configuration's.
func fromS3Update(c *S3DestinationUpdate) s3Settings {
	return fromS3Configuration((*S3DestinationConfiguration)(c))
}

func fromExtendedConfiguration(c *ExtendedS3DestinationConfiguration) s3Settings {
	return fromExtendedUpdate(&ExtendedS3DestinationUpdate{RoleARN: c.RoleARN, BucketARN: c.BucketARN, Prefix: c.Prefix,
		ErrorOutputPrefix: c.ErrorOutputPrefix, BufferingHints: c.BufferingHints, CompressionFormat: c.CompressionFormat,
		EncryptionConfiguration: c.EncryptionConfiguration, CloudWatchLoggingOptions: c.CloudWatchLoggingOptions,
		ProcessingConfiguration: c.ProcessingConfiguration, S3BackupMode: c.S3BackupMode,
		DataFormatConversionConfiguration: c.DataFormatConversionConfiguration, DynamicPartitioningConfiguration: c.DynamicPartitioningConfiguration})
}

func fromExtendedUpdate(c *ExtendedS3DestinationUpdate) s3Settings {
	v := s3Settings{RoleARN: c.RoleARN, BucketARN: c.BucketARN, Prefix: c.Prefix, ErrorOutputPrefix: c.ErrorOutputPrefix,
		Hints: c.BufferingHints, Compression: c.CompressionFormat, Encryption: c.EncryptionConfiguration, Logging: c.CloudWatchLoggingOptions,
		Processing: c.ProcessingConfiguration, BackupMode: c.S3BackupMode}
	v.unsupported = extendedUnsupported(c.DataFormatConversionConfiguration, c.DynamicPartitioningConfiguration)
	return v
}

// extendedUnsupported names the extended S3 features given enabled that
// virga does not have, or "". A configuration with Enabled left out is
// enabled, as Firehose reads it.
func extendedUnsupported(f *DataFormatConversionConfiguration, p *DynamicPartitioningConfiguration) string {
	switch {
	case f != nil && deref(f.Enabled) || f != nil && f.Enabled == nil:
		return "DataFormatConversionConfiguration"
	case p != nil && deref(p.Enabled):
		return "DynamicPartitioningConfiguration"
	}
	return ""
}

// apply sets what v gives on d, refusing what virga cannot deliver as
// asked.
func (d *destination) apply(v s3Settings) error {
	if v.unsupported != "" {
		return unsupported(v.unsupported)
	}
	if v.RoleARN != nil {
		d.RoleARN = *v.RoleARN
	}
	if v.BucketARN != nil {
		if !strings.HasPrefix(*v.BucketARN, "arn:aws:s3:::") || len(*v.BucketARN) == len("arn:aws:s3:::") {
			return ErrInvalidArgument.Withf("BucketARN %s is not a valid S3 bucket ARN.", *v.BucketARN)
		}
		d.BucketARN = *v.BucketARN
	}
	if v.Prefix != nil {
		if strings.Contains(*v.Prefix, "!{") {
			return unsupported("Prefix expressions (!{...})")
		}
		d.Prefix = *v.Prefix
	}
	if v.ErrorOutputPrefix != nil {
		d.ErrorOutputPrefix = *v.ErrorOutputPrefix
	}
	if h := v.Hints; h != nil {
		if h.SizeInMBs != nil {
			d.SizeInMBs = *h.SizeInMBs
		}
		if h.IntervalInSeconds != nil {
			d.IntervalInSeconds = *h.IntervalInSeconds
		}
	}
	if v.Compression != nil {
		switch c := string(*v.Compression); c {
		case "UNCOMPRESSED", "GZIP":
			d.Compression = c
		default:
			return unsupported("CompressionFormat " + c)
		}
	}
	if v.Encryption != nil {
		d.Encryption = v.Encryption
	}
	if v.Logging != nil {
		d.Logging = v.Logging
	}
	if p := v.Processing; p != nil {
		if _, err := processorOf(p); err != nil {
			return err
		}
		d.Processing = p
	}
	if v.BackupMode != nil {
		if *v.BackupMode != "Disabled" {
			return unsupported("S3BackupMode " + string(*v.BackupMode))
		}
		d.S3BackupMode = string(*v.BackupMode)
	}
	return nil
}

// given is a member of a request that may be given, by name.
type given struct {
	set  bool
	name string
}

// refuseGiven refuses the first of members that is given.
func refuseGiven(members ...given) error {
	for _, m := range members {
		if m.set {
			return unsupported(m.name)
		}
	}
	return nil
}

// unsupported is the error for a setting virga has no way to honour.
func unsupported(what string) error {
	return ErrInvalidArgument.Withf("%s is not supported in this version of virga.", what)
}

// s3Description is the destination as S3DestinationDescription.
func (d *destination) s3Description() *S3DestinationDescription {
	return &S3DestinationDescription{RoleARN: ptr(d.RoleARN), BucketARN: ptr(d.BucketARN), Prefix: ptr(d.Prefix),
		ErrorOutputPrefix: optional(d.ErrorOutputPrefix), BufferingHints: d.hints(), CompressionFormat: ptr(CompressionFormat(d.Compression)),
		EncryptionConfiguration: d.encryption(), CloudWatchLoggingOptions: d.logging()}
}

// extendedDescription is the destination as ExtendedS3DestinationDescription.
func (d *destination) extendedDescription() *ExtendedS3DestinationDescription {
	mode := d.S3BackupMode
	if mode == "" {
		mode = "Disabled"
	}
	return &ExtendedS3DestinationDescription{RoleARN: ptr(d.RoleARN), BucketARN: ptr(d.BucketARN), Prefix: ptr(d.Prefix),
		ErrorOutputPrefix: optional(d.ErrorOutputPrefix), BufferingHints: d.hints(), CompressionFormat: ptr(CompressionFormat(d.Compression)),
		EncryptionConfiguration: d.encryption(), CloudWatchLoggingOptions: d.logging(), ProcessingConfiguration: d.Processing,
		S3BackupMode: ptr(S3BackupMode(mode))}
}

func (d *destination) hints() *BufferingHints {
	return &BufferingHints{SizeInMBs: ptr(d.SizeInMBs), IntervalInSeconds: ptr(d.IntervalInSeconds)}
}

func (d *destination) encryption() *EncryptionConfiguration {
	if d.Encryption != nil {
		return d.Encryption
	}
	return &EncryptionConfiguration{NoEncryptionConfig: ptr(NoEncryptionConfig("NoEncryption"))}
}

func (d *destination) logging() *CloudWatchLoggingOptions {
	if d.Logging != nil {
		return d.Logging
	}
	return &CloudWatchLoggingOptions{Enabled: ptr(false)}
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
