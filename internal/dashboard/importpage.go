package dashboard

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/rapportapp/rapport/internal/contact"
	"github.com/rapportapp/rapport/internal/enroll"
)

// Importing a CSV from the dashboard: the rep uploads a file, sees the dry
// run's report (the summary `rapport import` prints), then confirms. The
// file waits in a private folder beside the database, under a random id
// bound to the session that uploaded it, and goes after the import or
// after uploadTTL. Imports run in the background; their page refreshes
// itself (a meta refresh, no script) until they are done.

// maxUpload caps an uploaded file: it is read into memory by the form
// parser (under its 32 MB threshold, so no copy lands in the system's
// temp folder), then written to the private folder.
const maxUpload = 20 << 20

// uploadTTL is how long an uploaded file waits for the rep to confirm.
const uploadTTL = time.Hour

// Import states.
const (
	importChecking  = "checking"  // the dry run is reading the file
	importChecked   = "checked"   // the dry run's report waits for the rep
	importImporting = "importing" // the real import is running
	importDone      = "done"      // imported; the file is gone
	importFailed    = "failed"    // the file could not be read or stored
)

// upload is one uploaded file and what became of it.
type upload struct {
	id, session, name, path string
	at                      time.Time // when it was uploaded
	size                    int64

	mu      sync.Mutex
	state   string
	read    int64 // bytes read so far by the running import
	summary *enroll.Summary
	err     string
}

// uploads are the files waiting or being imported, by id.
type uploads struct {
	mu sync.Mutex
	m  map[string]*upload
}

type importPage struct {
	CSRF    string
	ID      string
	Name    string
	State   string
	Percent int64
	Summary *enroll.Summary
	Error   string
	MaxMB   int
}

func (d *Dashboard) routeImport(mux *http.ServeMux) {
	mux.HandleFunc("GET /dashboard/import", d.private(d.importForm))
	mux.HandleFunc("POST /dashboard/import", d.private(d.importUpload))
	mux.HandleFunc("GET /dashboard/import/{id}", d.private(d.importStatus))
	mux.HandleFunc("POST /dashboard/import/{id}/confirm", d.private(d.importConfirm))
}

// uploadDir is the private folder beside the database.
func (d *Dashboard) uploadDir() string {
	return filepath.Join(filepath.Dir(d.cfg.Store.Path()), "rapport-uploads")
}

func (d *Dashboard) importForm(w http.ResponseWriter, r *http.Request, s *session) error {
	d.sweepUploads()
	d.render(w, http.StatusOK, "import", s, importPage{CSRF: s.CSRF, MaxMB: maxUpload >> 20})
	return nil
}

func (d *Dashboard) importUpload(w http.ResponseWriter, r *http.Request, s *session) error {
	if _, err := d.workspace(); err != nil {
		return err
	}
	d.sweepUploads()
	file, hdr, err := r.FormFile("file")
	if err != nil {
		d.render(w, http.StatusBadRequest, "import", s, importPage{CSRF: s.CSRF, MaxMB: maxUpload >> 20,
			Error: fmt.Sprintf("Choose a CSV file of at most %d MB.", maxUpload>>20)})
		return nil
	}
	defer file.Close()
	up, err := d.keep(file, s, filepath.Base(hdr.Filename))
	if err != nil {
		return err
	}
	d.startImport(up, true)
	http.Redirect(w, r, "/dashboard/import/"+up.id, http.StatusSeeOther)
	return nil
}

// keep writes the uploaded file to the private folder under a new id.
func (d *Dashboard) keep(src io.Reader, s *session, name string) (*upload, error) {
	dir := d.uploadDir()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("upload folder: %w", err)
	}
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("upload id: %w", err)
	}
	id := hex.EncodeToString(b)
	path := filepath.Join(dir, id+".csv")
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("keep upload: %w", err)
	}
	n, err := io.Copy(f, src)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("keep upload: %w", err)
	}
	up := &upload{id: id, session: s.id, name: name, path: path, at: d.cfg.Clock(), size: n, state: importChecking}
	d.uploads.mu.Lock()
	if d.uploads.m == nil {
		d.uploads.m = map[string]*upload{}
	}
	d.uploads.m[id] = up
	d.uploads.mu.Unlock()
	return up, nil
}

// startImport runs the dry run, or the import, of up in the background.
// It is not tied to the request: the rep may leave the page; the import
// ends with the file.
func (d *Dashboard) startImport(up *upload, dry bool) {
	go func() {
		sum, err := d.runImport(up, dry)
		up.mu.Lock()
		defer up.mu.Unlock()
		switch {
		case err != nil:
			d.cfg.Log.Error("dashboard import failed", "file", up.name, "err", err)
			up.state, up.err = importFailed, err.Error()
		case dry:
			up.state, up.summary = importChecked, sum
		default:
			up.state, up.summary = importDone, sum
		}
		if err != nil || !dry {
			os.Remove(up.path)
		}
	}()
}

func (d *Dashboard) runImport(up *upload, dry bool) (*enroll.Summary, error) {
	ws, err := d.workspace()
	if err != nil {
		return nil, err
	}
	f, err := os.Open(up.path)
	if err != nil {
		return nil, fmt.Errorf("open upload: %w", err)
	}
	defer f.Close()
	now := d.cfg.Clock()
	rd, err := contact.NewReader(f, contact.Options{Region: d.cfg.Country, Now: now.In(d.cfg.RepZone)})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", up.name, err)
	}
	progress := func(read int64) {
		up.mu.Lock()
		up.read = read
		up.mu.Unlock()
	}
	return enroll.Import(context.Background(), d.cfg.Store, ws.Content, rd,
		enroll.Options{File: up.name, DryRun: dry, Size: up.size, Progress: progress}, now)
}

// upload is the session's upload the path names, or a 404.
func (d *Dashboard) upload(r *http.Request, s *session) (*upload, error) {
	d.uploads.mu.Lock()
	up := d.uploads.m[r.PathValue("id")]
	d.uploads.mu.Unlock()
	if up == nil || up.session != s.id {
		return nil, &statusError{http.StatusNotFound, "There is no such upload: it was imported, or an hour went by. Upload the file again."}
	}
	return up, nil
}

func (d *Dashboard) importStatus(w http.ResponseWriter, r *http.Request, s *session) error {
	up, err := d.upload(r, s)
	if err != nil {
		return err
	}
	up.mu.Lock()
	p := importPage{CSRF: s.CSRF, ID: up.id, Name: up.name, State: up.state, Summary: up.summary, Error: up.err}
	if up.size > 0 {
		p.Percent = up.read * 100 / up.size
	}
	up.mu.Unlock()
	d.render(w, http.StatusOK, "import", s, p)
	return nil
}

func (d *Dashboard) importConfirm(w http.ResponseWriter, r *http.Request, s *session) error {
	up, err := d.upload(r, s)
	if err != nil {
		return err
	}
	up.mu.Lock()
	ok := up.state == importChecked
	if ok {
		up.state, up.read, up.summary = importImporting, 0, nil
	}
	up.mu.Unlock()
	if !ok { // a second click, or a dry run still reading
		http.Redirect(w, r, "/dashboard/import/"+up.id, http.StatusSeeOther)
		return nil
	}
	d.startImport(up, false)
	http.Redirect(w, r, "/dashboard/import/"+up.id, http.StatusSeeOther)
	return nil
}

// sweepUploads forgets uploads older than uploadTTL that no import is
// reading, and deletes their files, with any file in the folder as old
// (left by a daemon that stopped).
func (d *Dashboard) sweepUploads() {
	now := d.cfg.Clock()
	d.uploads.mu.Lock()
	for id, up := range d.uploads.m {
		up.mu.Lock()
		busy := up.state == importChecking || up.state == importImporting
		up.mu.Unlock()
		if !busy && now.Sub(up.at) > uploadTTL {
			os.Remove(up.path)
			delete(d.uploads.m, id)
		}
	}
	known := map[string]bool{}
	for _, up := range d.uploads.m {
		known[up.path] = true
	}
	d.uploads.mu.Unlock()
	entries, err := os.ReadDir(d.uploadDir())
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			d.cfg.Log.Warn("dashboard: read the upload folder", "err", err)
		}
		return
	}
	for _, e := range entries {
		path := filepath.Join(d.uploadDir(), e.Name())
		if info, err := e.Info(); err == nil && !known[path] && now.Sub(info.ModTime()) > uploadTTL {
			os.Remove(path)
		}
	}
}
