"""Points the S3 uploads of `aws cloudformation package` and
`aws cloudformation deploy --s3-bucket` at AWS_ENDPOINT_URL.

aws CLI releases before 2.13 (Debian 12 ships 2.9) give those commands'
S3 client neither --endpoint-url nor AWS_ENDPOINT_URL, so they upload to
Amazon S3 whatever endpoint the command names. Load this file as a plugin
in the CLI's configuration file (~/.aws/config):

    [plugins]
    cli_legacy_plugin_path = /path/to/virga/scripts/awscli-plugin
    virga_s3 = virga_s3_endpoint

and export AWS_ENDPOINT_URL=http://127.0.0.1:4566: every S3 client the
CLI makes without an endpoint of its own then uses virga's. Later CLI
releases read AWS_ENDPOINT_URL themselves and need no plugin.
"""
import os


def awscli_initialize(cli):
    cli.register('session-initialized', _point_s3_at_endpoint)


def _point_s3_at_endpoint(session, **kwargs):
    endpoint = os.environ.get('AWS_ENDPOINT_URL_S3') or os.environ.get('AWS_ENDPOINT_URL')
    if not endpoint:
        return
    create = session.create_client

    def create_client(service_name, *args, **kw):
        if service_name == 's3' and kw.get('endpoint_url') is None:
            kw['endpoint_url'] = endpoint
        return create(service_name, *args, **kw)

    session.create_client = create_client
