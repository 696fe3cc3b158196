"""Keeps the aws CLI from adding a host prefix to virga's endpoint.

A few operations are sent to a host name made by prefixing the
endpoint's: `aws stepfunctions start-sync-execution` goes to
sync-HOST. With --endpoint-url http://127.0.0.1:4566 that is
sync-127.0.0.1, which resolves nowhere, so the command fails with
"Could not connect to the endpoint URL". virga serves these operations
on its own host, so with this plugin every client the CLI makes for an
endpoint URL (--endpoint-url or AWS_ENDPOINT_URL) calls that URL as
given. Load it in the CLI's configuration file (~/.aws/config):

    [plugins]
    cli_legacy_plugin_path = /path/to/virga/scripts/awscli-plugin
    virga_no_host_prefix = virga_no_host_prefix

(beside virga_s3 = virga_s3_endpoint, if you use that one too).
"""
import os

from botocore.config import Config


def awscli_initialize(cli):
    cli.register('session-initialized', _no_host_prefix_for_endpoints)


def _no_host_prefix_for_endpoints(session, **kwargs):
    create = session.create_client

    def create_client(service_name, *args, **kw):
        if kw.get('endpoint_url') or os.environ.get('AWS_ENDPOINT_URL'):
            config = Config(inject_host_prefix=False)
            if kw.get('config') is not None:
                config = kw['config'].merge(config)
            kw['config'] = config
        return create(service_name, *args, **kw)

    session.create_client = create_client
