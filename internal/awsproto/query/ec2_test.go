package query

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/awsproto/prototest"
)

// Shapes as shapegen writes them from EC2's model.
type ec2Filter struct {
	Name   *string
	Values []string `aws:"xmlname=Value,member=item"`
}

type ec2Range struct {
	CidrIp *string `aws:"xmlname=cidrIp"`
}

type ec2Permission struct {
	FromPort *int32     `aws:"xmlname=fromPort"`
	IpRanges []ec2Range `aws:"xmlname=ipRanges,member=item"`
}

type ec2DescribeInput struct {
	Filters     []ec2Filter     `aws:"xmlname=Filter,member=Filter"`
	VpcIds      []string        `aws:"xmlname=VpcId,member=VpcId"`
	DryRun      *bool           `aws:"xmlname=dryRun"`
	Permissions []ec2Permission `aws:"name=IpPermissions,member=item"`
}

type ec2Vpc struct {
	VpcId *string `aws:"xmlname=vpcId"`
}

type ec2DescribeOutput struct {
	Vpcs []ec2Vpc `aws:"xmlname=vpcSet,member=item"`
}

const ec2Namespace = "http://ec2.amazonaws.com/doc/2016-11-15/"

func ec2Service(got *any) *awsproto.Service {
	return prototest.NewService(NewEC2("2016-11-15", ec2Namespace),
		prototest.Capture[ec2DescribeInput]("DescribeVpcs", "", got),
		awsproto.Operation{Name: "ListVpcs", Handler: awsproto.Handle(func(context.Context, *struct{}) (*ec2DescribeOutput, error) {
			id := "vpc-1"
			return &ec2DescribeOutput{Vpcs: []ec2Vpc{{VpcId: &id}}}, nil
		})},
		awsproto.Operation{Name: "DeleteVpc", Handler: awsproto.Handle(func(context.Context, *struct{}) (*struct{}, error) {
			return &struct{}{}, nil
		})},
		awsproto.Operation{Name: "Fail", Handler: awsproto.Handle(func(context.Context, *struct{}) (*struct{}, error) {
			return nil, apierr.New("InvalidVpcID.NotFound", 400, "The vpc ID 'vpc-1' does not exist")
		})},
	)
}

func serveEC2(t *testing.T, svc *awsproto.Service, body string) (int, string) {
	t.Helper()
	r := httptest.NewRequest("POST", "/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	c := awsproto.NewCall(r, "req-1", time.Time{})
	c.Body = []byte(body)
	c.Service = svc
	w := httptest.NewRecorder()
	if err := svc.Protocol.Resolve(c); err != nil {
		t.Fatalf("Resolve: %v", err)
	}
	svc.Serve(c, w)
	return w.Code, w.Body.String()
}

// TestEC2Decode: parameters are the capitalized XML names, and lists
// are flattened whatever their members' names.
func TestEC2Decode(t *testing.T) {
	t.Parallel()
	var got any
	svc := ec2Service(&got)
	serveEC2(t, svc, "Action=DescribeVpcs&Version=2016-11-15&Filter.1.Name=tag%3AName&Filter.1.Value.1=a&Filter.1.Value.2=b"+
		"&VpcId.1=vpc-1&VpcId.2=vpc-2&DryRun=true&IpPermissions.1.FromPort=443&IpPermissions.1.IpRanges.1.CidrIp=0.0.0.0%2F0")
	in, ok := got.(*ec2DescribeInput)
	if !ok {
		t.Fatalf("decoded %T", got)
	}
	want := `&{Filters:[{Name:&tag:Name Values:[a b ] } ] VpcIds:[vpc-1 vpc-2 ] DryRun:&true Permissions:[{FromPort:&443 IpRanges:[{CidrIp:&0.0.0.0/0 } ] } ] }`
	if s := prototest.Show(in); s != want {
		t.Errorf("decoded\n%s\nwant\n%s", s, want)
	}
}

// TestEC2Encode: a response has no Result wrapper and starts with the
// request id; one with no output says <return>true</return>; an error
// is <Response><Errors>.
func TestEC2Encode(t *testing.T) {
	t.Parallel()
	var got any
	svc := ec2Service(&got)
	for _, c := range []struct {
		action, want string
		status       int
	}{
		{"ListVpcs", `<ListVpcsResponse xmlns="` + ec2Namespace + `"><requestId>req-1</requestId><vpcSet><item><vpcId>vpc-1</vpcId></item></vpcSet></ListVpcsResponse>`, 200},
		{"DeleteVpc", `<DeleteVpcResponse xmlns="` + ec2Namespace + `"><requestId>req-1</requestId><return>true</return></DeleteVpcResponse>`, 200},
		{"Fail", `<Response><Errors><Error><Code>InvalidVpcID.NotFound</Code><Message>The vpc ID 'vpc-1' does not exist</Message></Error></Errors><RequestID>req-1</RequestID></Response>`, 400},
	} {
		status, body := serveEC2(t, svc, "Action="+c.action+"&Version=2016-11-15")
		if status != c.status || !strings.Contains(body, c.want) {
			t.Errorf("%s: %d %s\nwant %d %s", c.action, status, body, c.status, c.want)
		}
	}
}

func FuzzDecodeEC2(f *testing.F) {
	f.Add("Action=DescribeVpcs&Filter.1.Name=vpc-id&Filter.1.Value.1=vpc-1&VpcId.1=x")
	f.Add("Action=DescribeVpcs&Filter.99999999.Name=x&IpPermissions.1.IpRanges.1=y&DryRun=maybe")
	f.Add("Action=DescribeVpcs&IpPermissions.1.FromPort=99999999999&Filter.1=x&Filter.1.Value.1.Deep=z")
	f.Fuzz(func(t *testing.T, body string) {
		var got any
		svc := ec2Service(&got)
		r := httptest.NewRequest("POST", "/", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		serveFuzzed(t, svc, r, body)
	})
}
