package logs

// Logs Insights' operations get their shapes from the same model, in a
// file of their own so that they stay apart from the other operations'.
//go:generate go run ../awsproto/shapegen -service logs -version 2014-03-28 -package logs -out zz_query_shapes.go -extra QueryCompileError -ops StartQuery,GetQueryResults,StopQuery,DescribeQueries,GetLogRecord
