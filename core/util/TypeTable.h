#pragma once

// A small table of entries by component type name, in registration order: what the module
// registry (core/nn) and the export mappings (core/export) are built on.

#include <QString>
#include <QStringList>
#include <utility>
#include <vector>

namespace tc::util {

template <typename Entry> class TypeTable {
public:
    /// nullptr for an unknown type. Names match exactly, else ignoring case ("dense").
    const Entry* find(const QString& type) const {
        for (const auto& [name, entry] : m_entries) {
            if (name == type)
                return &entry;
        }
        for (const auto& [name, entry] : m_entries) {
            if (name.compare(type, Qt::CaseInsensitive) == 0)
                return &entry;
        }
        return nullptr;
    }

    QStringList types() const {
        QStringList result;
        for (const auto& entry : m_entries)
            result.append(entry.first);
        return result;
    }

    void add(const QString& type, Entry entry) { m_entries.emplace_back(type, std::move(entry)); }

private:
    std::vector<std::pair<QString, Entry>> m_entries;
};

} // namespace tc::util
