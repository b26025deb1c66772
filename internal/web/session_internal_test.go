package web

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/httpx"
	"github.com/qifu/qifu/internal/locale"
)

// TestReadPostBounds: a form post is read within its route's bound, also
// when the browser does not announce the length; over it, the answer says
// too large and the limit, whatever the CSRF token would have said.
func TestReadPostBounds(t *testing.T) {
	const mb = 1 << 20
	upload := func(size int) (string, []byte) {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		mw.WriteField("_csrf", "token")
		fw, _ := mw.CreateFormFile("file", "scan.pdf")
		fw.Write(bytes.Repeat([]byte{'x'}, size))
		mw.Close()
		return mw.FormDataContentType(), b.Bytes()
	}
	form := func(size int) (string, []byte) {
		return "application/x-www-form-urlencoded", []byte(url.Values{"_csrf": {"token"}, "note": {strings.Repeat("x", size)}}.Encode())
	}
	for _, c := range []struct {
		name    string
		body    func(int) (string, []byte)
		size    int
		maxFile int64
		want    string // the message, "" when the form is read
	}{
		{"a 9 MB upload to a 10 MB route", upload, 9 * mb, 10 * mb, ""},
		{"a 10 MB upload to a 10 MB route", upload, 10 * mb, 10 * mb, ""},
		{"a 12 MB upload to a 10 MB route", upload, 12 * mb, 10 * mb, "文件过大：单个文件不能超过 10 MB"},
		{"a 9 MB upload to an ordinary form", upload, 9 * mb, 0, "请求体过大（最大 8 MB）"},
		{"a small upload to a small-file route", upload, 2 * mb, 256 << 10, ""},
		{"a small form", form, 1000, 0, ""},
		{"a 9 MB form", form, 9 * mb, 0, "请求体过大（最大 8 MB）"},
	} {
		for _, announced := range []bool{true, false} {
			name := c.name
			if !announced {
				name += ", length not announced"
			}
			t.Run(name, func(t *testing.T) {
				ctype, data := c.body(c.size)
				var body io.Reader = bytes.NewReader(data)
				if !announced {
					body = io.MultiReader(body) // hides the length: ContentLength -1
				}
				r := httptest.NewRequest("POST", "/tickets/1/attachments", body)
				r.Header.Set("Content-Type", ctype)
				err := readPost(httptest.NewRecorder(), r, c.maxFile)
				if c.want == "" {
					if err != nil {
						t.Fatalf("refused: %v", err)
					}
					if got := r.PostFormValue("_csrf"); got != "token" {
						t.Errorf("_csrf = %q after reading the form", got)
					}
					return
				}
				e := apperr.As(err)
				if err == nil || e.Kind != apperr.TooLarge {
					t.Fatalf("got %v, want too large", err)
				}
				if msg := httpx.Message(locale.NewPrinter(locale.ZH), e); msg != c.want {
					t.Errorf("message %q, want %q", msg, c.want)
				}
			})
		}
	}
}
