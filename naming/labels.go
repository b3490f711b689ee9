package naming

// labelSet is the labels of a scope in one syntax: managedBy set to ManagedBy, and every
// other key of keyValues (key, value, key, value...) whose value is set, fitted to maxLen.
// Kubernetes' and GCP's labels say the same facts under different keys and limits.
func labelSet(managedBy string, maxLen int, keyValues ...string) map[string]string {
	labels := map[string]string{managedBy: ManagedBy}
	for i := 0; i+1 < len(keyValues); i += 2 {
		if value := keyValues[i+1]; value != "" {
			labels[keyValues[i]] = Fit(value, maxLen, '-')
		}
	}
	return labels
}
