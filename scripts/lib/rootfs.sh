# Shared by scripts/build-base-images.sh and scripts/build-stack-images.sh (source it):
# a minimal Debian bookworm rootfs with packages baked in, trimmed and packed for
# `docker import`. The caller sets CACHE (a folder for rootfs and logs), MIRROR (a Debian
# mirror URL) and defines log().

# debootstrap_root NAME PACKAGES -> path of a fresh rootfs folder under $CACHE
debootstrap_root() {
  local name=$1 packages=$2 root
  root=$(mktemp -d "$CACHE/$name.rootfs.XXXXXX")
  log "debootstrap bookworm + [$packages] into $root" >&2
  debootstrap --variant=minbase --include="$packages" bookworm "$root" "$MIRROR" >"$CACHE/$name.debootstrap.log" 2>&1 || {
    tail -20 "$CACHE/$name.debootstrap.log" >&2
    rm -rf "$root"
    exit 1
  }
  echo "$root"
}

# pack_root ROOT TARBALL: trim what a container never needs (apt lists, docs, man pages,
# locales), then tar it atomically and remove the folder.
pack_root() {
  local root=$1 tarball=$2
  # Never trim anything but a rootfs under $CACHE (an empty ROOT would mean the host's /).
  case "$root" in "$CACHE"/*.rootfs.*) ;; *) echo "pack_root: refusing '$root'" >&2; exit 1 ;; esac
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb \
    "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/*
  find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name 'en*' -exec rm -rf {} + 2>/dev/null || true
  tar -C "$root" --numeric-owner -cf "$tarball.tmp" .
  mv "$tarball.tmp" "$tarball"
  rm -rf "$root"
}
