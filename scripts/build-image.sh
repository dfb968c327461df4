#!/usr/bin/env bash
# Builds keygraph's two images from the Containerfile with Debian's own tools (docs/image.md):
#   localhost/keygraph:<version>          the runtime target (no PKCS#11 module)
#   localhost/keygraph:<version>-softhsm  the softhsm target (the dev overlay's)
# and runs `keygraph --help` in the first to show it starts.
#
# No container registry is needed: unless KEYGRAPH_IMAGE_BASE names a base image (a registry's
# debian:12-slim pinned by digest, for example), the base is made here by debootstrap from
# Debian's mirror and kept as localhost/debian-bookworm. buildah and debootstrap come from apt
# when missing. Safe to run again: the base is made once, and buildah reuses cached layers.
#
# Environment:
#   KEYGRAPH_IMAGE_BASE    base image to build FROM (default: the local debootstrap base)
#   KEYGRAPH_IMAGE_NAME    image name (default: localhost/keygraph)
#   KEYGRAPH_IMAGE_TAG     tag (default: the version in pyproject.toml)
#   KEYGRAPH_IMAGE_MIRROR  Debian mirror for debootstrap (default: http://deb.debian.org/debian)
#   KEYGRAPH_IMAGE_ARCHIVE_DIR  if set, also write both images there as docker-archive tarballs
#                          tagged keygraph:<tag>[-softhsm] (for `docker load`, `kind load
#                          image-archive`, `ctr images import`)
set -euo pipefail
cd "$(dirname "$0")/.."

suite=bookworm
local_base=localhost/debian-$suite
mirror=${KEYGRAPH_IMAGE_MIRROR:-http://deb.debian.org/debian}
name=${KEYGRAPH_IMAGE_NAME:-localhost/keygraph}
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' pyproject.toml)
tag=${KEYGRAPH_IMAGE_TAG:-$version}
# Builds run as steps in a chroot: no OCI runtime (runc, crun) is needed on the build host.
export BUILDAH_ISOLATION=chroot

# debootstrap and buildah's image store need root.
[ "$(id -u)" -eq 0 ] || exec sudo --preserve-env=KEYGRAPH_IMAGE_BASE,KEYGRAPH_IMAGE_NAME,\
KEYGRAPH_IMAGE_TAG,KEYGRAPH_IMAGE_MIRROR,KEYGRAPH_IMAGE_ARCHIVE_DIR,PIP_CERT "$0" "$@"

work=""
container=""
cleanup() {
    [ -z "$container" ] || buildah rm "$container" >/dev/null
    [ -z "$work" ] || rm -rf "$work"
}
trap cleanup EXIT

need_apt=()
command -v buildah >/dev/null 2>&1 || need_apt+=(buildah)
if [ -z "${KEYGRAPH_IMAGE_BASE:-}" ]; then
    command -v debootstrap >/dev/null 2>&1 || need_apt+=(debootstrap)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
    echo "build-image: installing ${need_apt[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${need_apt[@]}" >/dev/null
fi

make_local_base() {
    # A minimal Debian (the packages of priority required, apt) trimmed as the registry's slim
    # images are: no documentation, manual pages or translations, now or in later installs.
    local rootfs mountpoint
    work=$(mktemp -d "${TMPDIR:-/var/tmp}/keygraph-base.XXXXXX")
    rootfs=$work/rootfs
    echo "build-image: making $local_base with debootstrap from $mirror"
    debootstrap --variant=minbase "$suite" "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 \
        || { tail -20 "$work/debootstrap.log" >&2; return 1; }
    tee "$rootfs/etc/dpkg/dpkg.cfg.d/slim" >/dev/null <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/locale/*
EOF
    find "$rootfs/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
    rm -rf "$rootfs"/usr/share/{man,groff,info,lintian,locale}/* \
        "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/cache/apt/*.bin \
        "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/log/*.log "$rootfs"/var/log/apt/*
    container=$(buildah from scratch)
    mountpoint=$(buildah mount "$container")
    cp -a "$rootfs/." "$mountpoint/"
    buildah umount "$container" >/dev/null
    buildah config --cmd /bin/bash --label "org.opencontainers.image.description=Debian $suite \
(debootstrap --variant=minbase, slim)" "$container"
    buildah commit --rm --quiet "$container" "$local_base" >/dev/null
    container=""
    rm -rf "$work"
    work=""
}

base=${KEYGRAPH_IMAGE_BASE:-}
if [ -z "$base" ]; then
    base=$local_base
    buildah inspect --type image "$base" >/dev/null 2>&1 || make_local_base
fi

# A build host that reaches PyPI through a TLS-inspecting proxy trusts that proxy's CA in its own
# bundle; pip in the build uses the same bundle, given as a build secret (in no layer).
secret=()
ca_bundle=${PIP_CERT:-/etc/ssl/certs/ca-certificates.crt}
[ -s "$ca_bundle" ] && secret=(--secret "id=ca-bundle,src=$ca_bundle")

for target in runtime softhsm; do
    image=$name:$tag
    [ "$target" = runtime ] || image=$name:$tag-$target
    echo "build-image: building $image (target $target, FROM $base)"
    buildah bud --layers --quiet -f Containerfile --target "$target" \
        --build-arg "BASE=$base" "${secret[@]}" \
        --label "org.opencontainers.image.version=$version" \
        -t "$image" . >/dev/null
    if [ -n "${KEYGRAPH_IMAGE_ARCHIVE_DIR:-}" ]; then
        mkdir -p "$KEYGRAPH_IMAGE_ARCHIVE_DIR"
        short=keygraph:${image##*:}
        archive=$KEYGRAPH_IMAGE_ARCHIVE_DIR/${short/:/-}.tar
        rm -f "$archive"
        buildah push --quiet "$image" "docker-archive:$archive:$short"
        echo "build-image: wrote $archive ($short)"
    fi
done

container=$(buildah from "$name:$tag")
buildah run --user 10001:10001 "$container" -- keygraph --help >/dev/null
echo "build-image: $name:$tag runs keygraph --help as uid 10001"
buildah images --format '{{.Name}}:{{.Tag}} {{.Size}}' | grep -F "$name:$tag"
