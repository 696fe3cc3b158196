# frozen_string_literal: true

# virga's Ruby runtime for Lambda: a Runtime API client that loads the
# function's handler and serves invocations, the way AWS's Ruby runtime
# does. Standard library only; written for Ruby 3 (Debian 12 has 3.1).
#
# Usage: ruby bootstrap.rb
#
# The Runtime API is spoken over a plain TCPSocket rather than with
# net/http, whose requires (uri, net/protocol) cost every cold start close
# to 100 ms; it loads json, logger, socket and stringio only.

require 'json'
require 'logger'
require 'socket'
require 'stringio'

# The handler's context, with the attributes and method of AWS's, under
# the name AWS's Ruby runtime gives its class.
class LambdaContext
  attr_reader :aws_request_id, :invoked_function_arn, :log_group_name, :log_stream_name,
              :function_name, :memory_limit_in_mb, :function_version, :identity,
              :client_context, :deadline_ms

  def initialize(headers)
    @aws_request_id = headers['lambda-runtime-aws-request-id']
    @invoked_function_arn = headers['lambda-runtime-invoked-function-arn']
    @deadline_ms = headers['lambda-runtime-deadline-ms'].to_i
    @log_group_name = ENV['AWS_LAMBDA_LOG_GROUP_NAME']
    @log_stream_name = ENV['AWS_LAMBDA_LOG_STREAM_NAME']
    @function_name = ENV['AWS_LAMBDA_FUNCTION_NAME']
    @memory_limit_in_mb = ENV['AWS_LAMBDA_FUNCTION_MEMORY_SIZE']
    @function_version = ENV['AWS_LAMBDA_FUNCTION_VERSION']
    identity = headers['lambda-runtime-cognito-identity']
    client_context = headers['lambda-runtime-client-context']
    @identity = JSON.parse(identity) if identity
    @client_context = JSON.parse(client_context) if client_context
  end

  def get_remaining_time_in_millis
    left = @deadline_ms - Process.clock_gettime(Process::CLOCK_REALTIME, :millisecond)
    left.positive? ? left : 0
  end
end

module VirgaLambda
  API_PREFIX = '/2018-06-01/runtime'
  SELF = File.expand_path(__FILE__)

  # The exception classes whose errorType AWS's runtime puts in the
  # Lambda-Runtime-Function-Error-Type header; others are reported there
  # as Function<UserException> (the body keeps the real class).
  HEADER_CLASSES = %w[ArgumentError NoMethodError Exception StandardError NameError LoadError
                      SystemExit SystemStackError].freeze

  # A keep-alive HTTP/1.1 connection to the Runtime API.
  class Client
    def initialize(address)
      host, _, port = address.rpartition(':')
      @host = host
      @port = Integer(port)
      @sock = nil
      @buf = +''
    end

    # GET /invocation/next: [headers (lower-case names), body].
    def next_invocation
      status, headers, body = call('GET', '/invocation/next')
      raise "Runtime API /next answered #{status}: #{body[0, 200]}" unless status == 200

      [headers, body]
    end

    # Posts a response or an error. As AWS's Ruby runtime, it goes on to
    # the next invocation whatever the answer (413 for a response over
    # 6 MB: Lambda has already failed the invocation).
    def post(path, body, headers)
      call('POST', path, body, headers)
    rescue IOError, SystemCallError
      @sock&.close
      @sock = nil
    end

    private

    def call(method, path, body = '', headers = {})
      connect if @sock.nil?
      body = body.b
      head = +"#{method} #{API_PREFIX}#{path} HTTP/1.1\r\nHost: #{@host}:#{@port}\r\nContent-Length: #{body.bytesize}\r\n"
      headers.each { |k, v| head << "#{k}: #{v}\r\n" }
      @sock.write(head << "\r\n", body)
      read_response
    end

    def connect
      @sock = TCPSocket.new(@host, @port)
      @sock.setsockopt(Socket::IPPROTO_TCP, Socket::TCP_NODELAY, 1)
      @buf = +''
    end

    def fill
      chunk = @sock.readpartial(1 << 16)
      @buf << chunk
    rescue EOFError
      raise IOError, 'the Runtime API closed the connection'
    end

    def read_response
      @buf.force_encoding(Encoding::BINARY)
      fill until (i = @buf.index("\r\n\r\n"))
      head = @buf.slice!(0, i + 4)
      lines = head.split("\r\n")
      status = lines.shift.split(' ', 3)[1].to_i
      headers = {}
      lines.each do |line|
        k, v = line.split(':', 2)
        headers[k.strip.downcase] = v.to_s.strip
      end
      n = headers.fetch('content-length', '0').to_i
      fill while @buf.bytesize < n
      body = @buf.slice!(0, n)
      if headers['connection'].to_s.casecmp?('close')
        @sock.close
        @sock = nil
      end
      [status, headers, body.force_encoding(Encoding::UTF_8)]
    end
  end

  # An exception as the Runtime API is told of it: errorType is the class
  # in angle brackets after where it happened (Function, Init, Runtime).
  class Failure
    attr_reader :error_type, :header_type, :doc

    def initialize(error, phase)
      name = error.class.name || error.class.inspect
      @error_type = "#{phase}<#{name}>"
      @header_type = HEADER_CLASSES.include?(name) ? @error_type : "#{phase}<UserException>"
      @doc = { errorMessage: error.message, errorType: @error_type, stackTrace: VirgaLambda.trace(error) }
    end

    def to_json(*args)
      @doc.to_json(*args)
    end
  end

  # The frames of the function's code: the backtrace (at most 100 lines)
  # up to the first frame of this runtime after them (leading ones, of an
  # error this runtime raises for the function, such as HostLibraries's
  # LoadError, are left out).
  def self.trace(error)
    frames = error.backtrace_locations || []
    out = []
    frames.first(100).each do |loc|
      if loc.absolute_path == SELF || loc.path == SELF
        next if out.empty?

        break
      end
      next if loc.path.to_s.start_with?('<internal:')

      out << loc.to_s
    end
    out
  end

  # One puts, one log event: the lines of a message are joined with
  # carriage returns, as Lambda keeps them together.
  def self.log(message)
    $stdout.write(message.to_s.gsub("\n", "\r") << "\n")
  end

  def self.log_failure(message, failure)
    log(message)
    log(JSON.pretty_generate(failure.doc))
  end

  def self.json_logs?
    ENV.fetch('AWS_LAMBDA_LOG_FORMAT', '').casecmp?('JSON')
  end

  # Logger's lines as Lambda's Ruby runtime writes them: the request id
  # after the severity.
  class TextFormatter < Logger::Formatter
    def call(severity, time, progname, msg)
      line = format("%s, [%s #%d] %5s %s -- %s: %s", severity[0], time.strftime('%Y-%m-%dT%H:%M:%S.%6N'), $$,
                    severity, VirgaLambda.request_id, progname, msg2str(msg))
      "#{line.gsub("\n", "\r")}\n"
    end
  end

  # Logger's records in JSON log format: timestamp, level, message,
  # requestId, the logger's progname, and an exception's errorType,
  # errorMessage, stackTrace and location.
  class JSONFormatter < Logger::Formatter
    def call(severity, time, progname, msg)
      doc = { timestamp: time.utc.strftime('%Y-%m-%dT%H:%M:%S.%6NZ'), level: severity,
              message: msg.is_a?(Exception) ? msg.message : msg2str(msg), requestId: VirgaLambda.request_id }
      doc[:logger] = progname.to_s unless progname.nil? || progname.to_s.empty?
      if msg.is_a?(Exception)
        doc[:errorType] = msg.class.name
        doc[:errorMessage] = msg.message
        doc[:stackTrace] = Array(msg.backtrace)
        if (first = doc[:stackTrace].first) && (m = first.match(/\A(.+):(\d+):in [`'](.+)'\z/))
          doc[:location] = "#{m[1]}:#{m[3]}:#{m[2]}"
        end
      end
      "#{JSON.generate(doc.compact)}\n"
    end
  end

  LEVELS = { 'TRACE' => Logger::DEBUG, 'DEBUG' => Logger::DEBUG, 'INFO' => Logger::INFO, 'WARN' => Logger::WARN,
             'ERROR' => Logger::ERROR, 'FATAL' => Logger::FATAL }.freeze

  # A Logger writing to standard output or error (or to nothing named)
  # writes Lambda's lines; a formatter the function gives still wins.
  module LoggerPatch
    def initialize(logdev = nil, *args, **kwargs)
      std = logdev.nil? || logdev.equal?($stdout) || logdev.equal?($stderr) ||
            logdev.equal?(STDOUT) || logdev.equal?(STDERR)
      super(std ? $stdout : logdev, *args, **kwargs)
      return unless std

      @default_formatter = VirgaLambda.json_logs? ? JSONFormatter.new : TextFormatter.new
      level = VirgaLambda::LEVELS[ENV.fetch('AWS_LAMBDA_LOG_LEVEL', '').upcase]
      self.level = level if level && VirgaLambda.json_logs? && !kwargs.key?(:level)
    end
  end

  # Kernel#puts, as Lambda's runtime replaces it: one call, one event.
  module PutsPatch
    private

    def puts(*args)
      if args.empty?
        $stdout.write("\n")
      else
        VirgaLambda.log(args.flatten.map(&:to_s).join("\n"))
      end
      nil
    end
  end

  class << self
    attr_accessor :request_id
  end

  # The handler named by _HANDLER: FILE.METHOD (a method of the file's top
  # level) or FILE.CLASS.METHOD (a class method; CLASS may name a module
  # path, Module::Class). The file is required from the task root.
  class Handler
    MESSAGE = 'must be of form FILENAME.METHOD or FILENAME.CLASS.METHOD where FILENAME corresponds with an ' \
              'existing Ruby source file FILENAME.rb, CLASS is an optional module/class namespace and METHOD is a ' \
              'callable method. If using CLASS, METHOD must be a class-level method.'

    def initialize(spec)
      parts = spec.split('.')
      raise ArgumentError, "Invalid handler #{parts}, #{MESSAGE}" unless [2, 3].include?(parts.size)

      @file = parts[0]
      @class_name = parts[1] if parts.size == 3
      @method_name = parts[-1]
    end

    def load
      require @file
    end

    def call(event, context)
      receiver = @class_name ? Object.const_get(@class_name) : TOPLEVEL_BINDING.receiver
      receiver.__send__(@method_name, event: event, context: context)
    end
  end

  def self.parse_event(headers, body)
    return body unless headers.fetch('content-type', 'application/json').start_with?('application/json')

    JSON.parse(body)
  rescue JSON::ParserError
    body
  end

  # The handler's answer as the Runtime API takes it: an IO's bytes as
  # application/unknown, anything else as JSON.
  def self.marshal(result)
    case result
    when StringIO, IO then [result.read.to_s, 'application/unknown']
    else [result.to_json, 'application/json']
    end
  end

  def self.serve(client, handler)
    loop do
      headers, body = client.next_invocation
      request_id = headers['lambda-runtime-aws-request-id']
      self.request_id = request_id
      if (trace = headers['lambda-runtime-trace-id'])
        ENV['_X_AMZN_TRACE_ID'] = trace
      else
        ENV.delete('_X_AMZN_TRACE_ID')
      end
      fatal = false
      begin
        out, type = marshal(handler.call(parse_event(headers, body), LambdaContext.new(headers)))
      rescue NameError => e
        # As on AWS: a NameError or NoMethodError (no such handler
        # method or class), or an exception beyond StandardError, is
        # critical: the runtime reports it and ends.
        failure = Failure.new(e, 'Function')
        log_failure('Critical exception from handler', failure)
        fatal = true
      rescue StandardError => e
        failure = Failure.new(e, 'Function')
        log_failure('Error raised from handler method', failure)
      rescue Exception => e # rubocop:disable Lint/RescueException
        failure = Failure.new(e, 'Function')
        log_failure('Critical exception from handler', failure)
        fatal = true
      end
      $stdout.flush
      $stderr.flush
      if failure
        client.post("/invocation/#{request_id}/error", failure.to_json,
                    'Content-Type' => 'application/json', 'Lambda-Runtime-Function-Error-Type' => failure.header_type)
        exit(255) if fatal
      else
        client.post("/invocation/#{request_id}/response", out, 'Content-Type' => type)
      end
    end
  end

  # Gems: GEM_PATH as Lambda sets it (the function's vendor/bundle, the
  # layers' ruby/gems, the runtime's), then the host interpreter's own
  # gem directories, as the runtime's own gems are found on AWS.
  def self.gem_paths
    return unless defined?(Gem) && Gem.respond_to?(:default_path)

    extra = Gem.default_path - Gem.path
    Gem.paths = { 'GEM_HOME' => Gem.dir, 'GEM_PATH' => (Gem.path + extra).join(File::PATH_SEPARATOR) } unless extra.empty?
  rescue StandardError
    nil
  end

  # Libraries a distribution installs for its ruby in site_ruby and
  # vendor_ruby (Debian's ruby-* packages) are on the host ruby's load
  # path, not on AWS's: a require that would find its file only there
  # fails, as on AWS, unless a gem on GEM_PATH provides it (that gem is
  # activated and loads). RubyGems and Bundler, which Debian installs
  # there, are Ruby's own and load.
  module HostLibraries
    DIRS = RbConfig::CONFIG.values_at('sitedir', 'sitelibdir', 'sitearchdir', 'vendordir', 'vendorlibdir', 'vendorarchdir')
                           .compact.reject(&:empty?).map { |d| d.end_with?('/') ? d : "#{d}/" }.uniq.freeze

    def self.host_only?(feature)
      name = feature.to_s
      return false if name.start_with?('rubygems', 'bundler') || name.start_with?('/', './', '../')

      found = $LOAD_PATH.resolve_feature_path(name)
      found && DIRS.any? { |d| found[1].start_with?(d) } && !$LOADED_FEATURES.include?(found[1])
    rescue LoadError, StandardError
      false
    end

    def require(feature)
      if HostLibraries.host_only?(feature)
        spec = defined?(Gem::Specification) && Gem::Specification.find_by_path(feature.to_s)
        raise LoadError, "cannot load such file -- #{feature}" unless spec

        Kernel.send(:gem, spec.name, spec.version.to_s)
      end
      super
    end
  end

  def self.main
    $stdout.sync = true
    $stderr.sync = true
    gem_paths
    Kernel.prepend(HostLibraries) if HostLibraries::DIRS.any?
    task_root = ENV.fetch('LAMBDA_TASK_ROOT', Dir.pwd)
    $LOAD_PATH.unshift(task_root) unless $LOAD_PATH.include?(task_root)
    Logger.prepend(LoggerPatch)
    Object.prepend(PutsPatch)
    client = Client.new(ENV.fetch('AWS_LAMBDA_RUNTIME_API'))
    spec = ENV.fetch('_HANDLER', '')
    begin
      handler = Handler.new(spec)
      handler.load
    rescue Exception => e # rubocop:disable Lint/RescueException
      # As AWS's runtime does: report the init error and exit.
      failure = Failure.new(e, 'Init')
      log_failure("Init error when loading handler #{spec}", failure)
      $stdout.flush
      client.post('/init/error', failure.to_json,
                  'Content-Type' => 'application/json', 'Lambda-Runtime-Function-Error-Type' => failure.header_type)
      exit(252)
    end
    serve(client, handler)
  end
end

VirgaLambda.main if $PROGRAM_NAME == __FILE__
