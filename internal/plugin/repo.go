package plugin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// Checkout is a git repository checked out at a branch: the plugin index
// and each plugin's artifact. It is go-git, in process: FreeBSD's base has
// no git(1), and jcage stays one binary.
type Checkout struct {
	URL    string
	Dir    string
	Branch string    // wanted branch
	Out    io.Writer // iocage's messages (branch fallback, re-clone)
}

// Sync brings Dir to the newest commit of Branch at URL, as
// IOCPlugin._clone_repo does: a directory that is not a clone of URL is
// cloned afresh; a branch the remote lacks falls back to master, with
// iocage's message. It returns the branch checked out.
func (c Checkout) Sync(ctx context.Context) (string, error) {
	repo, err := c.open()
	if err != nil {
		if err := os.RemoveAll(c.Dir); err != nil {
			return "", err
		}
		repo, err = git.PlainCloneContext(ctx, c.Dir, false, &git.CloneOptions{URL: c.URL, NoCheckout: true, Tags: git.NoTags})
		if err != nil {
			os.RemoveAll(c.Dir)
			return "", fmt.Errorf("clone %s: %w", c.URL, err)
		}
	} else {
		err := repo.FetchContext(ctx, &git.FetchOptions{RemoteName: "origin", Force: true, Tags: git.NoTags,
			RefSpecs: []config.RefSpec{"+refs/heads/*:refs/remotes/origin/*"}})
		if err != nil && !errors.Is(err, git.NoErrAlreadyUpToDate) {
			return "", fmt.Errorf("update %s: %w", c.URL, err)
		}
	}
	branch := c.Branch
	ref, err := repo.Reference(plumbing.NewRemoteReferenceName("origin", branch), true)
	if err != nil {
		if c.Out != nil {
			fmt.Fprintf(c.Out, "\nBranch %s does not exist at %s!\n", branch, c.URL)
			fmt.Fprintln(c.Out, `Using "master" branch for plugin, this may not work with your RELEASE`)
		}
		branch = "master"
		if ref, err = repo.Reference(plumbing.NewRemoteReferenceName("origin", branch), true); err != nil {
			return "", fmt.Errorf("%s has neither branch %s nor master", c.URL, c.Branch)
		}
	}
	local := plumbing.NewBranchReferenceName(branch)
	if err := repo.Storer.SetReference(plumbing.NewHashReference(local, ref.Hash())); err != nil {
		return "", err
	}
	wt, err := repo.Worktree()
	if err != nil {
		return "", err
	}
	if err := wt.Checkout(&git.CheckoutOptions{Branch: local, Force: true}); err != nil {
		return "", fmt.Errorf("checkout %s of %s: %w", branch, c.URL, err)
	}
	if err := c.relink(repo, ref.Hash()); err != nil {
		return "", fmt.Errorf("checkout %s of %s: %w", branch, c.URL, err)
	}
	return branch, nil
}

// relink writes every symlink of the commit with the target the
// repository holds: go-git's worktree joins an absolute target to the
// checkout directory ("/etc" becomes DIR/etc), where git(1) keeps it as
// it is, and an overlay's links must reach the jail as the plugin wrote
// them.
func (c Checkout) relink(repo *git.Repository, h plumbing.Hash) error {
	commit, err := repo.CommitObject(h)
	if err != nil {
		return err
	}
	tree, err := commit.Tree()
	if err != nil {
		return err
	}
	root, err := os.OpenRoot(c.Dir)
	if err != nil {
		return err
	}
	defer root.Close()
	return tree.Files().ForEach(func(f *object.File) error {
		if f.Mode != filemode.Symlink {
			return nil
		}
		target, err := f.Contents()
		if err != nil {
			return err
		}
		if cur, err := root.Readlink(f.Name); err == nil && cur == target {
			return nil
		}
		if err := root.Remove(f.Name); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return root.Symlink(target, f.Name)
	})
}

// open opens Dir when it is a clone of URL (iocage's _verify_git_repo).
func (c Checkout) open() (*git.Repository, error) {
	repo, err := git.PlainOpen(c.Dir)
	if err != nil {
		return nil, err
	}
	r, err := repo.Remote("origin")
	if err != nil {
		return nil, err
	}
	for _, u := range r.Config().URLs {
		if u == c.URL {
			return repo, nil
		}
	}
	return nil, errors.New("not a clone of " + c.URL)
}
