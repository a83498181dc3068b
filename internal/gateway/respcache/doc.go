// Package respcache is API Gateway's stage cache: method responses kept
// for a TTL and served without calling the integration.
//
// # Pieces
//
//   - Cache: Get / Set / Delete / Flush / Stats, the seam for a shared
//     (Redis) cache later.
//   - Memory: the in-process Cache of one stage (cacheClusterEnabled).
//     Bounded by bytes, least recently used entries evicted first, entries
//     expire after their TTL on an injectable Clock, locks sharded by key.
//     Responses with a body over MaxEntryBytes (1048576) are not stored.
//     Set copies the entry; Get returns a shared, read-only entry without
//     allocating.
//   - ClusterCapacity: cacheClusterSize ("0.5" ... "237" GB) to bytes at a
//     configurable scale, DefaultBytesPerGB = 16 MiB per GB, so the largest
//     size (237 -> 3.7 GiB) fits a laptop. Resizing means a new Memory
//     (AWS drops the entries too).
//   - Sealed: a view of a Cache that encrypts entries with AES-256-GCM
//     under a random per-cache key (cacheDataEncrypted). A stage keeps a
//     Memory and a Sealed over it; each method uses the one its settings
//     ask for.
//   - KeyBuilder: the key of a method's entries: a partition (deployment),
//     the HTTP method, the resource path (or the integration's
//     cacheNamespace, which AWS lets resources share), and the request's
//     values of the integration's cacheKeyParameters. Built once per
//     method; per request it appends values to a fixed prefix.
//   - InvalidationPolicy: what to do with Cache-Control: max-age=0 given
//     requireAuthorizationForCacheControl and
//     unauthorizedCacheControlHeaderStrategy (Serve, Refresh, Forbid,
//     ServeWithWarning). "Authorised" means the request carries a
//     well-formed SigV4 Authorization header (HasSigV4Authorization).
//
// # What the data plane does per cacheable request
//
// Caching applies when the stage has a cache and the method's resolved
// setting has cachingEnabled with cacheTtlInSeconds > 0 (AWS's stage-level
// setting covers GET only; other verbs need their own method entry). Then:
//
//	key := kb.Key(values)
//	switch policy.DecideRequest(r.Header) {
//	case respcache.Forbid:           // 403, integration not called
//	case respcache.Refresh:          // call integration; cache.Set(key, resp, ttl)
//	case respcache.Serve, respcache.ServeWithWarning:
//		if e, ok := cache.Get(key); ok { /* write e */ } else { /* call integration; cache.Set */ }
//		// ServeWithWarning: also set WarningHeader: WarningValue
//	}
//
// Only successful responses should be stored (status < 400, data-plane
// spec §5); that choice is the caller's, Set stores what it is given.
// Throttled requests never reach the cache.
package respcache
