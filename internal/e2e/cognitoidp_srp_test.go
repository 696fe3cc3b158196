package e2e_test

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/virga/virga/internal/e2e"
)

// srpClient is the client side of Cognito's USER_SRP_AUTH, as Amplify
// and the Cognito identity SDKs compute it: RFC 5054's 3072-bit group,
// g = 2, SHA-256 over padded hex, HKDF info "Caldera Derived Key".
type srpClient struct {
	n, g, k, a, bigA *big.Int
}

func newSRPClient(t *testing.T) *srpClient {
	// RFC 3526 group 15: 2^3072 - 2^3008 - 1 + 2^64 * (floor(2^2942 pi) + 1690314).
	n, _ := new(big.Int).SetString("FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3BE39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF", 16)
	if n.BitLen() != 3072 || !n.ProbablyPrime(8) {
		t.Fatal("the group's prime is wrong")
	}
	c := &srpClient{n: n, g: big.NewInt(2)}
	c.k = c.hashInt(c.pad(n) + c.pad(c.g))
	a, err := rand.Int(rand.Reader, n)
	if err != nil {
		t.Fatal(err)
	}
	c.a = a
	c.bigA = new(big.Int).Exp(c.g, a, n)
	return c
}

func (c *srpClient) pad(n *big.Int) string {
	h := n.Text(16)
	if len(h)%2 == 1 {
		return "0" + h
	}
	if h[0] >= '8' {
		return "00" + h
	}
	return h
}

func (c *srpClient) hashInt(h string) *big.Int {
	b, _ := hex.DecodeString(h)
	sum := sha256.Sum256(b)
	return new(big.Int).SetBytes(sum[:])
}

// answer computes PASSWORD_CLAIM_SIGNATURE for a PASSWORD_VERIFIER
// challenge.
func (c *srpClient) answer(poolID, password string, params map[string]string, timestamp string) string {
	_, name, _ := strings.Cut(poolID, "_")
	userID := params["USER_ID_FOR_SRP"]
	B, _ := new(big.Int).SetString(params["SRP_B"], 16)
	salt, _ := new(big.Int).SetString(params["SALT"], 16)
	u := c.hashInt(c.pad(c.bigA) + c.pad(B))
	inner := sha256.Sum256([]byte(name + userID + ":" + password))
	x := c.hashInt(c.pad(salt) + hex.EncodeToString(inner[:]))
	// S = (B - k*g^x)^(a + u*x) mod N
	gx := new(big.Int).Exp(c.g, x, c.n)
	base := new(big.Int).Sub(B, new(big.Int).Mul(c.k, gx))
	base.Mod(base, c.n)
	exp := new(big.Int).Add(c.a, new(big.Int).Mul(u, x))
	S := new(big.Int).Exp(base, exp, c.n)
	ikm, _ := hex.DecodeString(c.pad(S))
	hsalt, _ := hex.DecodeString(c.pad(u))
	m := hmac.New(sha256.New, hsalt)
	m.Write(ikm)
	m = hmac.New(sha256.New, m.Sum(nil))
	m.Write(append([]byte("Caldera Derived Key"), 1))
	key := m.Sum(nil)[:16]
	block, _ := base64.StdEncoding.DecodeString(params["SECRET_BLOCK"])
	m = hmac.New(sha256.New, key)
	m.Write([]byte(name + userID))
	m.Write(block)
	m.Write([]byte(timestamp))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// TestCognitoUserSRPAuth signs in with USER_SRP_AUTH and
// PASSWORD_VERIFIER, the flow Amplify uses, with the right password and
// a wrong one.
func TestCognitoUserSRPAuth(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := cip.NewFromConfig(env.Config)
	ctx := context.Background()
	pool, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("srp")})
	if err != nil {
		t.Fatal(err)
	}
	poolID := aws.ToString(pool.UserPool.Id)
	cl, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: &poolID, ClientName: aws.String("amplify")})
	if err != nil {
		t.Fatal(err)
	}
	clientID := cl.UserPoolClient.ClientId
	if _, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &poolID, Username: aws.String("lee"), MessageAction: types.MessageActionTypeSuppress}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: &poolID, Username: aws.String("lee"),
		Password: aws.String("Lee-Pass-123"), Permanent: true}); err != nil {
		t.Fatal(err)
	}
	signIn := func(password string) (*cip.RespondToAuthChallengeOutput, error) {
		srp := newSRPClient(t)
		start, err := c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: clientID, AuthFlow: types.AuthFlowTypeUserSrpAuth,
			AuthParameters: map[string]string{"USERNAME": "lee", "SRP_A": srp.bigA.Text(16)}})
		if err != nil {
			t.Fatal(err)
		}
		p := start.ChallengeParameters
		if start.ChallengeName != types.ChallengeNameTypePasswordVerifier || p["USER_ID_FOR_SRP"] != "lee" || p["SALT"] == "" || p["SRP_B"] == "" || p["SECRET_BLOCK"] == "" {
			t.Fatalf("InitiateAuth = %+v", start)
		}
		ts := time.Now().UTC().Format("Mon Jan 2 15:04:05 UTC 2006")
		return c.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: clientID, ChallengeName: types.ChallengeNameTypePasswordVerifier,
			ChallengeResponses: map[string]string{"USERNAME": "lee", "TIMESTAMP": ts, "PASSWORD_CLAIM_SECRET_BLOCK": p["SECRET_BLOCK"],
				"PASSWORD_CLAIM_SIGNATURE": srp.answer(poolID, password, p, ts)}})
	}
	_, err = signIn("Wrong-Pass-123")
	if got := expectAPIError(t, err, "NotAuthorizedException", 400); got.Message != "Incorrect username or password." {
		t.Errorf("message %q", got.Message)
	}
	out, err := signIn("Lee-Pass-123")
	if err != nil {
		t.Fatal(err)
	}
	if out.AuthenticationResult == nil || out.AuthenticationResult.IdToken == nil {
		t.Fatalf("RespondToAuthChallenge = %+v", out)
	}
	claims := verifyCognitoJWT(t, env.Endpoint, poolID, aws.ToString(out.AuthenticationResult.IdToken))
	if claims["cognito:username"] != "lee" {
		t.Errorf("claims %v", claims)
	}
}

// TestCognitoUnsignedOperations checks that, with signatures verified,
// the operations Cognito serves without AWS credentials (those a browser
// app calls) take unsigned requests, and the administrative ones do not.
func TestCognitoUnsignedOperations(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, sigv4Mode)
	c := cip.NewFromConfig(env.Config)
	ctx := context.Background()
	pool, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("public")})
	if err != nil {
		t.Fatal(err)
	}
	cl, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: pool.UserPool.Id, ClientName: aws.String("web"),
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}})
	if err != nil {
		t.Fatal(err)
	}
	anon := cip.NewFromConfig(env.Config, func(o *cip.Options) { o.Credentials = aws.AnonymousCredentials{} })
	if _, err := anon.SignUp(ctx, &cip.SignUpInput{ClientId: cl.UserPoolClient.ClientId, Username: aws.String("pat"), Password: aws.String("Pat-Pass-123")}); err != nil {
		t.Fatalf("unsigned SignUp: %v", err)
	}
	_, err = anon.AdminConfirmSignUp(ctx, &cip.AdminConfirmSignUpInput{UserPoolId: pool.UserPool.Id, Username: aws.String("pat")})
	if err == nil {
		t.Fatal("unsigned AdminConfirmSignUp succeeded")
	}
	if _, err := c.AdminConfirmSignUp(ctx, &cip.AdminConfirmSignUpInput{UserPoolId: pool.UserPool.Id, Username: aws.String("pat")}); err != nil {
		t.Fatal(err)
	}
	out, err := anon.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: cl.UserPoolClient.ClientId, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "pat", "PASSWORD": "Pat-Pass-123"}})
	if err != nil {
		t.Fatalf("unsigned InitiateAuth: %v", err)
	}
	if _, err := anon.GetUser(ctx, &cip.GetUserInput{AccessToken: out.AuthenticationResult.AccessToken}); err != nil {
		t.Fatalf("unsigned GetUser: %v", err)
	}
}
